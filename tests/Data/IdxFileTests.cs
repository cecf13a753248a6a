using System.IO.Compression;
using PruningLab.Data;

namespace PruningLab.Tests.Data;

public class IdxFileTests
{
    // Hand-written: magic 00 00, type 08, 3 dims; dims 2, 3, 3 big-endian; 18 payload bytes 0..17.
    internal static readonly byte[] Tiny =
    [
        0x00, 0x00, 0x08, 0x03,
        0x00, 0x00, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x03,
        0x00, 0x00, 0x00, 0x03,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
    ];

    internal static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal)) gz.Write(raw);
        return output.ToArray();
    }

    [Fact]
    public void ReadsHandWrittenRawFile()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "tiny-idx3-ubyte");
        File.WriteAllBytes(path, Tiny);

        var idx = IdxFile.Read(path);

        Assert.Equal([2, 3, 3], idx.Dimensions);
        Assert.Equal(2, idx.Count);
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (byte)i), idx.Data);
    }

    [Fact]
    public void ReadsGzipByMagicNotByName()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "no-extension");
        File.WriteAllBytes(path, Gzip(Tiny));

        var idx = IdxFile.Read(path);

        Assert.Equal([2, 3, 3], idx.Dimensions);
        Assert.Equal(17, idx.Data[^1]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteThenReadRoundTrips(bool gzip)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "round-trip");
        byte[] data = [.. Enumerable.Range(0, 18).Select(i => (byte)(255 - i))];

        IdxFile.Write(path, [2, 3, 3], data, gzip);
        byte[] onDisk = File.ReadAllBytes(path);
        var idx = IdxFile.Read(path);

        Assert.Equal(gzip, IdxFile.IsGzip(onDisk));
        Assert.Equal([2, 3, 3], idx.Dimensions);
        Assert.Equal(data, idx.Data);
        if (!gzip) Assert.Equal(Tiny[..16], onDisk[..16]); // header is byte-identical to the hand-written one
    }

    public static TheoryData<string, byte[], string> BadFiles()
    {
        byte[] wrongMagic = [.. Tiny];
        wrongMagic[0] = 0x01;
        byte[] wrongType = [.. Tiny];
        wrongType[2] = 0x0D;
        byte[] wrongDims = [.. Tiny];
        wrongDims[7] = 0x03; // 3×3×3 = 27 bytes claimed, 18 present
        byte[] zeroDim = [.. Tiny];
        zeroDim[11] = 0x00;
        return new()
        {
            { "truncated", Tiny[..^1], "truncated" },
            { "trailing", [.. Tiny, 99], "trailing" },
            { "wrong-magic", wrongMagic, "magic" },
            { "wrong-type", wrongType, "0x0d" },
            { "wrong-dims", wrongDims, "27" },
            { "zero-dim", zeroDim, "positive dimensions" },
            { "header-only", Tiny[..10], "header" },
        };
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFileErrorNamesFileAndProblem(string name, byte[] bytes, string expectedText)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, name + "-idx3-ubyte");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path));

        Assert.Contains(path, e.Message);
        Assert.Contains(expectedText, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("delete it", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void TruncatedGzipIsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "cut.gz");
        byte[] payload = new byte[2 * 50 * 50];
        new Random(1).NextBytes(payload); // incompressible, so half the archive is half the data
        IdxFile.Write(path, [2, 50, 50], payload, gzip: true);
        byte[] gz = File.ReadAllBytes(path);
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path));

        Assert.Contains(path, e.Message);
    }
}
