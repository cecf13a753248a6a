using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class IterativePruningTests(SampleData data) : IClassFixture<SampleData>
{
    [Fact]
    public void Steps_prune_the_same_share_of_the_survivors_each_round()
    {
        var steps = IterativePruning.Steps(0.9, 3);
        Assert.Equal(3, steps.Length);
        Assert.Equal(1 - Math.Pow(0.1, 1 / 3.0), steps[0], 12);
        Assert.Equal(0.5358411166, steps[0], 9);
        Assert.Equal(0.7845565309, steps[1], 9);
        Assert.Equal(0.9, steps[2], 12);
        // Each round keeps the same fraction of what survived the previous one: 0.1^(1/3).
        Assert.Equal((1 - steps[1]) / (1 - steps[0]), 1 - steps[0], 12);
        Assert.Equal(new[] { 0.5 }, IterativePruning.Steps(0.5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => IterativePruning.Steps(0.9, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IterativePruning.Steps(1.1, 3));
    }

    [Fact]
    public void Two_rounds_reach_their_targets_and_hold_the_masks_while_retraining()
    {
        using var scope = NewDisposeScope();
        using var train = data.Train.Subset(512, seed: 4);
        using var test = data.Test.Subset(200, seed: 4);
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        var targets = IterativePruning.Steps(0.8, 2);
        var seen = new List<int>();
        var retrain = new TrainingOptions { Epochs = 1, BatchSize = 64, Progress = ProgressDisplay.None, Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.9) };
        var rounds = IterativePruning.Run(masks, train, test, targets, retrain, onRound: r => seen.Add(r.Count));
        Assert.Equal(new[] { 1, 2 }, seen);
        Assert.Equal(new[] { 1, 2 }, rounds.Select(r => r.Round));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(targets[i], rounds[i].Sparsity, 3);
            Assert.Single(rounds[i].Retraining);
        }
        // Measured again, independently: the model as it is now has the last round's accuracy after retraining.
        Assert.Equal(Evaluator.Accuracy(model, test), rounds[1].AccuracyAfterRetraining);
        // Hand-computed targets of two rounds to 80 %: 1 − 0.2^(1/2) = 0.5527864, then 0.8.
        Assert.Equal(0.5527864045, targets[0], 8);
        Assert.True(rounds[1].Sparsity > rounds[0].Sparsity);
        Assert.True(rounds[1].AccuracyAfterRetraining > 0.4, $"accuracy {rounds[1].AccuracyAfterRetraining:P1} after retraining");
        foreach (var name in masks.Names) Assert.Equal(0, Tiny.NonZeroPruned(Tiny.Weight(model, name), masks[name]));
        Assert.Empty(retrain.Hooks);   // the masks' hook was added to a copy of the options
    }

    [Fact]
    public void Decreasing_sparsities_are_rejected()
    {
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        using var tiny = data.Train.Subset(10, seed: 0);
        var error = Assert.Throws<ArgumentException>(() => IterativePruning.Run(masks, tiny, tiny, [0.5, 0.3],
            new TrainingOptions { Epochs = 0, Progress = ProgressDisplay.None }));
        Assert.Contains("0.3 follows 0.5", error.Message);
    }
}
