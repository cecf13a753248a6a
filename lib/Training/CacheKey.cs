using System.Security.Cryptography;
using System.Text;

namespace PruningLab.Training;

/// <summary>Short, stable names for cached results: a hash of the full description of what produced them.</summary>
public static class CacheKey
{
    /// <summary>
    /// Bumped whenever the training or pruning code changes what a recipe produces, so that stale caches are not reused.
    /// </summary>
    public const int Version = 2;

    /// <summary>The first 16 hex digits of the SHA-256 of <paramref name="description"/> and <see cref="Version"/>.</summary>
    public static string Of(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"v{Version}|{description}")))[..16].ToLowerInvariant();
    }

    /// <summary>A name reduced to lower-case letters, digits and dashes, for file names.</summary>
    public static string Sanitize(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-'));
}
