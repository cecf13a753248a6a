using System.Security.Cryptography;

namespace PruningLab.Data;

/// <summary>SHA-256 helpers; hex is lower-case so it compares directly with <c>sha256sum</c> output.</summary>
public static class Checksums
{
    /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Lower-case hex SHA-256 of a file's bytes as stored on disk.</summary>
    public static string Sha256HexOfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Case-insensitive comparison; null never matches so unknown hashes are simply skipped.</summary>
    public static bool Same(string? expected, string actual) =>
        expected is not null && string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase);
}
