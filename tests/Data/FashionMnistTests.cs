using System.Diagnostics;
using PruningLab.Data;

namespace PruningLab.Tests.Data;

public class FashionMnistTests
{
    [Theory]
    [InlineData(Split.Train, 1830, 183)]        // the sample's 200 per class, less a twelfth (17) for validation
    [InlineData(Split.Validation, 170, 17)]
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
        Assert.InRange(ds.Images.mean().item<float>(), -0.1f, 0.1f);
        Assert.InRange(ds.Images.std().item<float>(), 0.9f, 1.1f);
    }

    [SkippableFact]
    public void FullSetsLoadWhenInstalled()
    {
        Skip.IfNot(File.Exists(Path.Combine(DatasetCatalogue.DebianFashionDirectory, "train-images-idx3-ubyte.gz")),
            "Debian's dataset-fashion-mnist is not installed: nothing to load offline.");
        var options = new DatasetSearchOptions { DataDirectory = null, AllowDownload = false, Quiet = true };

        var clock = Stopwatch.StartNew();
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Full, options);
        var elapsed = clock.Elapsed;
        using var validation = FashionMnist.Load(Split.Validation, DatasetSize.Full, options);
        using var test = FashionMnist.Load(Split.Test, DatasetSize.Full, options);

        Assert.Equal([55_000, 1, 28, 28], train.Images.shape);
        Assert.Equal([55_000], train.Labels.shape);
        Assert.Equal([5_000, 1, 28, 28], validation.Images.shape);
        Assert.Equal([10_000, 1, 28, 28], test.Images.shape);
        Assert.All(train.ClassCounts(), n => Assert.Equal(5500, n));
        Assert.All(validation.ClassCounts(), n => Assert.Equal(500, n));
        // Together the two parts are the official training set: the catalogue's mean and std are its statistics.
        using var all = TorchSharp.torch.cat([train.Images, validation.Images]);
        Assert.InRange(all.mean().item<float>(), -0.01f, 0.01f);
        Assert.InRange(all.std().item<float>(), 0.99f, 1.01f);
        Console.WriteLine($"Full Fashion-MNIST train loaded in {elapsed.TotalMilliseconds:N0} ms");
    }
}
