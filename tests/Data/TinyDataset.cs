using PruningLab.Data;

namespace PruningLab.Tests.Data;

/// <summary>A hand-made file plus a catalogue entry that trusts it, for downloader and locator tests.</summary>
internal static class TinyDataset
{
    public static readonly byte[] Archive = IdxFileTests.Gzip(IdxFileTests.Tiny);

    public static DatasetFileEntry Entry(params string[] urls) =>
        new("tiny-idx3-ubyte", PruningLab.Data.Checksums.Sha256Hex(IdxFileTests.Tiny), null, IdxFileTests.Tiny.Length, urls);

    public static DatasetFileEntry ArchiveOnlyEntry(params string[] urls) =>
        new("tiny-idx3-ubyte", null, PruningLab.Data.Checksums.Sha256Hex(Archive), null, urls);
}
