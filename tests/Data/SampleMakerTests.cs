using PruningLab.Data;

namespace PruningLab.Tests.Data;

public class SampleMakerTests
{
    /// <summary>
    /// Regenerates the sample from Debian's full files and checks it matches the catalogue (so the
    /// committed sample is reproducible). With PRUNINGLAB_WRITE_SAMPLE=1 it rewrites the committed files:
    /// PRUNINGLAB_WRITE_SAMPLE=1 dotnet test tests/PruningLab.Tests.csproj --filter SampleMakerTests
    /// </summary>
    [SkippableFact]
    public void RegeneratedSampleMatchesCatalogue()
    {
        string source = DatasetCatalogue.DebianFashionDirectory;
        Skip.IfNot(File.Exists(Path.Combine(source, "train-images-idx3-ubyte.gz")),
            "Debian's dataset-fashion-mnist is not installed: nothing to regenerate the sample from.");

        using var temp = new TempDir();
        string output = Environment.GetEnvironmentVariable("PRUNINGLAB_WRITE_SAMPLE") == "1"
            ? Path.Combine(CoursePaths.SampleRoot!, "fashion-mnist")
            : temp.Path;
        var written = SampleMaker.Write(source, output);

        Assert.Equal(4, written.Count);
        foreach (var entry in DatasetCatalogue.FashionMnistSample.AllFiles)
        {
            string path = Path.Combine(output, entry.ArchiveName);
            byte[] content = IdxFile.ReadContent(path);
            Console.WriteLine($"{entry.FileName} {Checksums.Sha256Hex(content)} {content.Length} gz {Checksums.Sha256HexOfFile(path)} {new FileInfo(path).Length}");
            Assert.Equal(entry.ContentLength, content.Length);
            Assert.Equal(entry.ContentSha256, Checksums.Sha256Hex(content));
        }
    }

    [Fact]
    public void ChooseIsBalancedSortedAndDeterministic()
    {
        byte[] labels = [.. Enumerable.Range(0, 100).Select(i => (byte)(i % 3))];
        int[] a = SampleMaker.Choose(labels, 5, seed: 1, classCount: 3);
        int[] b = SampleMaker.Choose(labels, 5, seed: 1, classCount: 3);
        int[] c = SampleMaker.Choose(labels, 5, seed: 2, classCount: 3);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(15, a.Distinct().Count());
        Assert.Equal(a.Order(), a);
        Assert.All(Enumerable.Range(0, 3), k => Assert.Equal(5, a.Count(i => labels[i] == k)));
    }
}
