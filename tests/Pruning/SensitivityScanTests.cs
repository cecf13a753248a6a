using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class SensitivityScanTests(SampleData data) : IClassFixture<SampleData>
{
    [Fact]
    public void One_point_per_layer_and_sparsity_and_the_model_is_left_alone()
    {
        using var scope = NewDisposeScope();
        using var train = data.Train.Subset(512, seed: 3);
        using var test = data.Test.Subset(200, seed: 3);
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        Trainer.Fit(model, train, test, new TrainingOptions { Epochs = 1, BatchSize = 64, Progress = ProgressDisplay.None });
        var dense = Evaluator.Accuracy(model, test);
        var before = model.state_dict().ToDictionary(p => p.Key, p => Tiny.Bytes(p.Value));

        double[] sparsities = [0, 0.5, 0.99];
        var points = SensitivityScan.Run(model, test, sparsities);

        Assert.Equal(
            from layer in new[] { "fc1.weight", "fc2.weight", "fc3.weight" } from s in sparsities select (layer, s),
            points.Select(p => (p.Layer, p.Sparsity)));
        Assert.All(points.Where(p => p.Sparsity == 0), p => Assert.Equal(dense, p.Accuracy));
        Assert.All(model.state_dict(), p => Assert.Equal(before[p.Key], Tiny.Bytes(p.Value)));
        Assert.True(model.training);

        // A point is the accuracy with that one layer pruned, the others dense. Computed independently here: the
        // 15,000 smallest |w| of fc2 (half of 30,000) zeroed by a plain sort of its values.
        using var copy = ModelZoo.Copy(model);
        var fc2 = Tiny.Weight(copy, "fc2.weight");
        var values = Tiny.Flat(fc2);
        foreach (var i in Enumerable.Range(0, values.Length).OrderBy(i => Math.Abs(values[i])).Take(values.Length / 2)) values[i] = 0;
        using (no_grad()) fc2.copy_(tensor(values).reshape(fc2.shape));
        Assert.Equal(Evaluator.Accuracy(copy, test), points.Single(p => p.Layer == "fc2.weight" && p.Sparsity == 0.5).Accuracy);
    }

    [Fact]
    public void Named_layers_are_scanned_under_their_parameter_names()
    {
        using var scope = NewDisposeScope();
        using var test = data.Test.Subset(50, seed: 3);
        using var model = ModelZoo.Create(ModelZoo.LeNet5, seed: 0);
        var points = SensitivityScan.Run(model, test, [0.5], ["conv2", "fc3.weight"]);
        Assert.Equal(new[] { "conv2.weight", "fc3.weight" }, points.Select(p => p.Layer));
        Assert.Throws<ArgumentException>(() => SensitivityScan.Run(model, test, [0.5], ["conv9"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SensitivityScan.Run(model, test, [1.5]));
    }

    [Fact]
    public void Max_sparsity_within_a_drop_is_the_highest_that_holds_up()
    {
        SensitivityPoint[] points =
        [
            new("fc1.weight", 0, 0.90), new("fc1.weight", 0.5, 0.89), new("fc1.weight", 0.8, 0.86), new("fc1.weight", 0.9, 0.70),
            new("fc2.weight", 0, 0.90), new("fc2.weight", 0.5, 0.60), new("fc2.weight", 0.8, 0.87),
            new("fc3.weight", 0, 0.90), new("fc3.weight", 0.5, 0.40),
            new("conv1.weight", 0.5, 0.10),
        ];
        var max = SensitivityScan.MaxSparsityWithin(points, baseline: 0.90, maxDrop: 0.05);
        Assert.Equal(new Dictionary<string, double> { ["fc1.weight"] = 0.8, ["fc2.weight"] = 0.8, ["fc3.weight"] = 0, ["conv1.weight"] = 0 }, max);
        var strict = SensitivityScan.MaxSparsityWithin(points, baseline: 0.90, maxDrop: 0.02);
        Assert.Equal(0.5, strict["fc1.weight"]);
    }
}
