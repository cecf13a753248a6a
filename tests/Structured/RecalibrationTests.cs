using PruningLab.Data;
using PruningLab.Structured;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Tests.Structured;

public class RecalibrationTests
{
    [Fact]
    public void Running_statistics_become_the_average_over_the_batches_and_nothing_else_changes()
    {
        using var scope = NewDisposeScope();
        using var data = FashionMnist.Load(Split.Train, DatasetSize.Sample);
        var norm = nn.BatchNorm2d(1);
        using var model = nn.Sequential(("bn", norm));
        using (no_grad())
        {
            norm.weight!.fill_(2f);
            norm.running_mean!.fill_(5f);    // stale statistics
            norm.running_var!.fill_(9f);
        }
        model.eval();
        var images = BatchNormRecalibration.Recalibrate(model, data, batches: 3, batchSize: 100);
        Assert.Equal(300, images);
        // By hand: the mean over the three batches of each batch's pixel mean and unbiased pixel variance.
        var batches = data.Batches(100, shuffle: false, seed: 0).Take(3).Select(b => b.X.flatten()).ToList();
        var mean = batches.Average(x => x.mean().item<float>());
        var variance = batches.Average(x => x.var().item<float>());
        Assert.Equal(mean, norm.running_mean!.item<float>(), 4);
        Assert.Equal(variance, norm.running_var!.item<float>(), 4);
        Assert.Equal(2f, norm.weight!.item<float>());
        Assert.False(model.training);
        Assert.Equal(0.1, norm.momentum!.Value, 6);
        Assert.Throws<ArgumentException>(() => BatchNormRecalibration.Recalibrate(PruningLab.Models.ModelZoo.Create(PruningLab.Models.ModelZoo.LeNet300100, 0), data));
    }
}
