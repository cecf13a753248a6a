using System.Diagnostics;
using PruningLab.Data;

namespace PruningLab.Tests.Data;

public class FashionMnistTests
{
    [Theory]
    [InlineData(Split.Train, 2000, 200)]
    [InlineData(Split.Test, 500, 50)]
    public void SampleLoadsOfflineBalancedAndNormalised(Split split, int count, int perClass)
    {
        using var ds = FashionMnist.Load(split, DatasetSize.Sample);

        Assert.Equal(count, ds.Count);
        Assert.Equal([count, 1, 28, 28], ds.Images.shape);
        Assert.All(ds.ClassCounts(), n => Assert.Equal(perClass, n));
        Assert.Equal("Ankle boot", ds.ClassNames[9]);
        Assert.InRange(ds.Labels.min().item<long>(), 0, 9);
        Assert.InRange(ds.Labels.max().item<long>(), 0, 9);
        Assert.InRange(ds.Images.mean().item<float>(), -0.05f, 0.05f);
        Assert.InRange(ds.Images.std().item<float>(), 0.95f, 1.05f);
    }

    [Fact]
    public void FullSetsLoadWhenInstalled()
    {
        // xunit 2 has no dynamic skip: without Debian's dataset-fashion-mnist there is nothing to load offline.
        if (!File.Exists(Path.Combine(DatasetCatalogue.DebianFashionDirectory, "train-images-idx3-ubyte.gz"))) return;
        var options = new DatasetSearchOptions { DataDirectory = null, AllowDownload = false, Quiet = true };

        var clock = Stopwatch.StartNew();
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Full, options);
        var elapsed = clock.Elapsed;
        using var test = FashionMnist.Load(Split.Test, DatasetSize.Full, options);

        Assert.Equal([60_000, 1, 28, 28], train.Images.shape);
        Assert.Equal([60_000], train.Labels.shape);
        Assert.Equal([10_000, 1, 28, 28], test.Images.shape);
        Assert.All(train.ClassCounts(), n => Assert.Equal(6000, n));
        Assert.InRange(train.Images.mean().item<float>(), -0.01f, 0.01f); // catalogue mean/std are the full set's
        Assert.InRange(train.Images.std().item<float>(), 0.99f, 1.01f);
        Console.WriteLine($"Full Fashion-MNIST train loaded in {elapsed.TotalMilliseconds:N0} ms");
    }
}
