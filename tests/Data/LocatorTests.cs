using System.Net;
using PruningLab.Data;

namespace PruningLab.Tests.Data;

public class LocatorTests
{
    private const string Url = "https://mirror.example/tiny-idx3-ubyte.gz";

    private static readonly DatasetFileEntry Entry = TinyDataset.Entry(Url);

    private static readonly DatasetInfo Tiny = new(
        "tiny", "Tiny", ["a", "b"], 0f, 1f, "test", Entry, Entry, Entry, Entry,
        ["/nonexistent/system"], "Reinstall the tiny package.", "Tiny help.");

    private sealed class Layout : IDisposable
    {
        public TempDir Root { get; } = new();
        public string Data => Root.Sub("data");
        public string Cache => Root.Sub("cache");
        public string System => Root.Sub("system");

        public string Put(string dir, byte[]? bytes = null)
        {
            string path = Path.Combine(dir, "tiny-idx3-ubyte.gz");
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(path, bytes ?? TinyDataset.Archive);
            return path;
        }

        public DatasetSearchOptions Options(HttpMessageHandler handler, bool withData = true) => new()
        {
            DataDirectory = withData ? Data : null,
            CacheDirectory = Cache,
            SystemDirectories = [System],
            HttpHandler = handler,
            Quiet = true,
        };

        public void Dispose() => Root.Dispose();
    }

    [Fact]
    public void DataDirectoryComesFirst()
    {
        using var l = new Layout();
        string expected = l.Put(Path.Combine(l.Data, "tiny"));
        l.Put(Path.Combine(l.Cache, "tiny"));
        l.Put(l.System);

        var found = DatasetLocator.Open(Tiny, Entry, l.Options(FakeHandler.Failing()));

        Assert.Equal(DataOrigin.UserDirectory, found.Origin);
        Assert.Equal(expected, found.Path);
    }

    [Fact]
    public void CacheComesBeforeSystemDirectory()
    {
        using var l = new Layout();
        string expected = l.Put(Path.Combine(l.Cache, "tiny"));
        l.Put(l.System);

        var found = DatasetLocator.Open(Tiny, Entry, l.Options(FakeHandler.Failing()));

        Assert.Equal(DataOrigin.Cache, found.Origin);
        Assert.Equal(expected, found.Path);
    }

    [Fact]
    public void SystemDirectoryIsReadInPlaceBeforeDownloading()
    {
        using var l = new Layout();
        string expected = l.Put(l.System);

        var found = DatasetLocator.Open(Tiny, Entry, l.Options(FakeHandler.Failing()));

        Assert.Equal(DataOrigin.System, found.Origin);
        Assert.Equal(expected, found.Path);
        Assert.Empty(Directory.GetFileSystemEntries(l.Cache)); // not copied
        Assert.Equal([2, 3, 3], found.Data.Dimensions);
    }

    [Fact]
    public void RawFileIsFoundToo()
    {
        using var l = new Layout();
        string raw = Path.Combine(l.System, "tiny-idx3-ubyte");
        File.WriteAllBytes(raw, IdxFileTests.Tiny);

        var found = DatasetLocator.Open(Tiny, Entry, l.Options(FakeHandler.Failing()));

        Assert.Equal(raw, found.Path);
    }

    [Fact]
    public void DownloadsIntoCacheWhenNothingIsFoundThenUsesCache()
    {
        using var l = new Layout();
        var handler = FakeHandler.Serving(TinyDataset.Archive);

        var first = DatasetLocator.Open(Tiny, Entry, l.Options(handler));
        var second = DatasetLocator.Open(Tiny, Entry, l.Options(handler));

        Assert.Equal(DataOrigin.Downloaded, first.Origin);
        Assert.Equal(Path.Combine(l.Cache, "tiny", "tiny-idx3-ubyte.gz"), first.Path);
        Assert.Equal(DataOrigin.Cache, second.Origin);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public void CorruptCachedFileIsAnErrorWithHashesAndFix()
    {
        using var l = new Layout();
        byte[] wrong = [.. IdxFileTests.Tiny];
        wrong[20] = 200;
        string bad = l.Put(Path.Combine(l.Cache, "tiny"), IdxFileTests.Gzip(wrong));
        l.Put(l.System); // a good copy further down must not hide the bad one

        var e = Assert.Throws<DatasetException>(() => DatasetLocator.Open(Tiny, Entry, l.Options(FakeHandler.Failing())));

        Assert.Contains(bad, e.Message);
        Assert.Contains(Entry.ContentSha256!, e.Message);
        Assert.Contains(PruningLab.Data.Checksums.Sha256Hex(wrong), e.Message);
        Assert.Contains("Delete it and run again to re-download", e.Message);
    }

    [Fact]
    public void CorruptSystemFileSaysReinstall()
    {
        using var l = new Layout();
        l.Put(l.System, IdxFileTests.Gzip([.. IdxFileTests.Tiny[..^1], 7]));

        var e = Assert.Throws<DatasetException>(() => DatasetLocator.Open(Tiny, Entry, l.Options(FakeHandler.Failing())));

        Assert.Contains("Reinstall the tiny package", e.Message);
    }

    [Fact]
    public void MnistNotFoundExplainsThereIsNoDebianPackage()
    {
        using var l = new Layout();
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound));

        var e = Assert.Throws<DatasetException>(() => Mnist.Load(Split.Test, l.Options(handler, withData: false)));

        Assert.Contains("MNIST has no Debian package", e.Message);
        Assert.Contains("Fashion-MNIST is the course default", e.Message);
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
        Assert.Equal(2, handler.Requests.Count); // both mirrors tried
        Assert.Empty(Directory.GetFiles(l.Cache, "*", SearchOption.AllDirectories));
    }
}
