using System.Net;
using PruningLab.Data;

namespace PruningLab.Tests.Data;

public class DownloaderTests
{
    private const string Mirror1 = "https://mirror-one.example/tiny-idx3-ubyte.gz";
    private const string Mirror2 = "https://mirror-two.example/tiny-idx3-ubyte.gz";

    private static DatasetDownloader Downloader(FakeHandler handler, TextWriter? progress = null) =>
        new(new HttpClient(handler), progress);

    [Fact]
    public void SuccessPutsVerifiedFileInPlaceAndNoTempFiles()
    {
        using var dir = new TempDir();
        var progress = new StringWriter();

        string path = Downloader(FakeHandler.Serving(TinyDataset.Archive), progress).Download(TinyDataset.Entry(Mirror1), dir.Path);

        Assert.Equal(Path.Combine(dir.Path, "tiny-idx3-ubyte.gz"), path);
        Assert.Equal(TinyDataset.Archive, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        Assert.Contains("tiny-idx3-ubyte.gz", progress.ToString());
        Assert.Contains("[##############################]", progress.ToString()); // finished bar is full
    }

    [Fact]
    public void ArchiveHashAloneIsEnough()
    {
        using var dir = new TempDir();
        string path = Downloader(FakeHandler.Serving(TinyDataset.Archive)).Download(TinyDataset.ArchiveOnlyEntry(Mirror1), dir.Path);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void CorruptPayloadNamesBothHashesAndLeavesNothing()
    {
        using var dir = new TempDir();
        byte[] wrong = [.. IdxFileTests.Tiny];
        wrong[^1] = 42; // valid IDX, different content
        var entry = TinyDataset.Entry(Mirror1);

        var e = Assert.Throws<DatasetException>(() =>
            Downloader(FakeHandler.Serving(IdxFileTests.Gzip(wrong))).Download(entry, dir.Path));

        Assert.Contains(entry.ContentSha256!, e.Message);
        Assert.Contains(PruningLab.Data.Checksums.Sha256Hex(wrong), e.Message);
        Assert.Contains(Mirror1, e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void ConnectionDroppedMidwayLeavesNoPartialFile()
    {
        using var dir = new TempDir();
        var handler = new FakeHandler(_ => FakeHandler.Ok(new BreakingStream(TinyDataset.Archive[..10]), TinyDataset.Archive.Length));

        var e = Assert.Throws<DatasetException>(() => Downloader(handler).Download(TinyDataset.Entry(Mirror1), dir.Path));

        Assert.Contains("connection reset", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void FallsBackToSecondMirrorAfter404()
    {
        using var dir = new TempDir();
        var handler = new FakeHandler(r => r.RequestUri!.ToString() == Mirror1
            ? new HttpResponseMessage(HttpStatusCode.NotFound)
            : FakeHandler.Ok(TinyDataset.Archive));

        string path = Downloader(handler).Download(TinyDataset.Entry(Mirror1, Mirror2), dir.Path);

        Assert.Equal([Mirror1, Mirror2], handler.Requests);
        Assert.Equal(TinyDataset.Archive, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AllMirrorsFailingListsEachOne()
    {
        using var dir = new TempDir();
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound));

        var e = Assert.Throws<DatasetException>(() => Downloader(handler).Download(TinyDataset.Entry(Mirror1, Mirror2), dir.Path));

        Assert.Contains(Mirror1 + ": HTTP 404", e.Message);
        Assert.Contains(Mirror2 + ": HTTP 404", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
