using System.Buffers.Binary;
using System.IO.Compression;

namespace PruningLab.Data;

/// <summary>
/// Reads and writes the IDX format of the MNIST family: two zero bytes, a type byte
/// (only 0x08 = unsigned byte is used by these datasets), a dimension count, the dimensions as
/// big-endian int32, then the payload. Files may be gzip-compressed (detected by magic, not name).
/// </summary>
public static class IdxFile
{
    /// <summary>The IDX type code for unsigned bytes, the only one MNIST-family files use.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>True when <paramref name="bytes"/> starts with the gzip magic 1f 8b.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>Reads and validates an IDX file, raw or gzip.</summary>
    /// <exception cref="DatasetException">The file is unreadable gzip or not a valid unsigned-byte IDX file.</exception>
    public static IdxData Read(string path) => Parse(ReadContent(path), path);

    /// <summary>Returns the decompressed IDX bytes of a file (the bytes the content SHA-256 is taken over).</summary>
    public static byte[] ReadContent(string path) => Decompress(File.ReadAllBytes(path), path);

    /// <summary>Gunzips <paramref name="fileBytes"/> if they are gzip, otherwise returns them unchanged.</summary>
    public static byte[] Decompress(byte[] fileBytes, string source)
    {
        if (!IsGzip(fileBytes)) return fileBytes;
        try
        {
            // The gzip footer stores the uncompressed size (mod 2^32): decompress straight into an array of that
            // size instead of growing a MemoryStream and copying it, which halves the time for full datasets.
            int expected = BinaryPrimitives.ReadInt32LittleEndian(fileBytes.AsSpan(fileBytes.Length - 4));
            using var gz = new GZipStream(new MemoryStream(fileBytes), CompressionMode.Decompress);
            if (expected > 0 && fileBytes.Length >= 18)
            {
                var content = GC.AllocateUninitializedArray<byte>(expected);
                int read = gz.ReadAtLeast(content, content.Length, throwOnEndOfStream: false);
                if (read == content.Length && gz.ReadByte() == -1) return content;
                // Footer disagrees with the data (multi-member or damaged archive): fall back to the slow path below.
                using var rest = new MemoryStream();
                rest.Write(content, 0, read);
                gz.CopyTo(rest);
                return rest.ToArray();
            }
            using var output = new MemoryStream();
            gz.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException(source,
                $"{source}: expected a valid gzip archive (it starts with the gzip magic 1f 8b), but decompression failed: {e.Message}. " +
                "The file is probably truncated by an interrupted download; delete it and run again to re-download.", e);
        }
    }

    /// <summary>Parses decompressed IDX bytes; <paramref name="source"/> names the file in error messages.</summary>
    public static IdxData Parse(byte[] content, string source)
    {
        const string Fix = "The file is not an MNIST-family IDX file or is damaged; delete it and run again to re-download (or reinstall the package it came from).";
        if (content.Length < 4)
            throw Bad(source, $"expected at least a 4-byte IDX header, found {content.Length} bytes", Fix);
        if (content[0] != 0 || content[1] != 0)
            throw Bad(source, $"expected IDX magic 00 00 at the start, found {content[0]:x2} {content[1]:x2}", Fix);
        if (content[2] != UnsignedByte)
            throw Bad(source, $"expected IDX type byte 0x08 (unsigned byte), found 0x{content[2]:x2}", Fix);

        int rank = content[3];
        if (rank == 0)
            throw Bad(source, "expected at least one dimension, found a dimension count of 0", Fix);
        int headerLength = 4 + 4 * rank;
        if (content.Length < headerLength)
            throw Bad(source, $"expected a {headerLength}-byte header for {rank} dimensions, found only {content.Length} bytes", Fix);

        var dims = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4 + 4 * i));
            if (dims[i] <= 0)
                throw Bad(source, $"expected positive dimensions, found dimension {i} = {dims[i]}", Fix);
            expected *= dims[i];
            if (expected > Array.MaxLength)
                throw Bad(source, $"expected a payload that fits in memory, found dimensions [{string.Join(", ", dims[..(i + 1)])}...]", Fix);
        }

        long found = content.Length - headerLength;
        if (found != expected)
        {
            string what = found < expected ? "the file is truncated" : "the file has trailing data";
            throw Bad(source,
                $"expected {expected:N0} payload bytes for dimensions [{string.Join(", ", dims)}], found {found:N0} ({what})", Fix);
        }
        var payload = GC.AllocateUninitializedArray<byte>((int)expected);
        Buffer.BlockCopy(content, headerLength, payload, 0, payload.Length);
        return new IdxData(source, dims, payload);
    }

    /// <summary>Writes an unsigned-byte IDX file, gzip-compressed when <paramref name="gzip"/> is true.</summary>
    public static void Write(string path, int[] dimensions, byte[] data, bool gzip)
    {
        long product = dimensions.Aggregate(1L, (a, d) => a * d);
        if (product != data.Length)
            throw new ArgumentException($"Dimensions [{string.Join(", ", dimensions)}] need {product} bytes, got {data.Length}.", nameof(data));

        using var file = File.Create(path);
        // Smallest size because the sample is committed to git; .NET writes no timestamp, so output is reproducible.
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.SmallestSize) : file;
        Span<byte> header = stackalloc byte[4 + 4 * dimensions.Length];
        header[2] = UnsignedByte;
        header[3] = checked((byte)dimensions.Length);
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header[(4 + 4 * i)..], dimensions[i]);
        output.Write(header);
        output.Write(data);
    }

    private static DatasetException Bad(string source, string expectedFound, string fix) =>
        new(source, $"{source}: {expectedFound}. {fix}");
}
