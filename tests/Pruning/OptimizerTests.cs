using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class OptimizerTests(SampleData data) : IClassFixture<SampleData>
{
    private static OptimizerSettings Settings(string name) => name switch
    {
        "sgd" => OptimizerSettings.Sgd(0.05, momentum: 0),
        "momentum" => OptimizerSettings.Sgd(0.05, momentum: 0.9),
        "nesterov" => OptimizerSettings.Sgd(0.05, momentum: 0.9, nesterov: true),
        "sgd+decay" => OptimizerSettings.Sgd(0.05, momentum: 0, weightDecay: 1e-2),
        "adam" => OptimizerSettings.Adam(1e-3),
        "adam+decay" => OptimizerSettings.Adam(1e-3, weightDecay: 1e-2),
        _ => throw new ArgumentException(name),
    };

    // LeNet-300-100 pruned to 70 %, then 24 optimiser steps (3 epochs of 8 batches); returns the weights before training.
    private Dictionary<string, Tensor> PruneAndTrain(nn.Module<Tensor, Tensor> model, ModelMasks masks, string optimizer, bool hook)
    {
        masks.Prune(Scope.Uniform(0.7));
        var before = masks.Names.ToDictionary(n => n, n => Tiny.Weight(model, n).detach().clone());
        using var train = data.Train.Subset(256, seed: 1);
        using var test = data.Test.Subset(100, seed: 1);
        Trainer.Fit(model, train, test, new TrainingOptions
        {
            Epochs = 3, BatchSize = 32, Seed = 1, Progress = ProgressDisplay.None,
            Optimizer = Settings(optimizer), Hooks = hook ? [masks.Hook] : [],
        });
        return before;
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("nesterov")]
    [InlineData("sgd+decay")]
    [InlineData("adam")]
    [InlineData("adam+decay")]
    public void The_hook_keeps_pruned_weights_at_exactly_zero_while_the_rest_trains(string optimizer)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        var before = PruneAndTrain(model, masks, optimizer, hook: true);
        foreach (var name in masks.Names)
        {
            var weight = Tiny.Weight(model, name);
            var mask = masks[name];
            Assert.Equal(0, Tiny.NonZeroPruned(weight, mask));
            var changed = weight.detach().masked_select(mask.eq(1)).ne(before[name].masked_select(mask.eq(1))).sum().item<long>();
            Assert.True(changed > mask.sum().item<float>() / 2, $"{optimizer}: only {changed} surviving weights of {name} changed");
        }
        Assert.Equal(0.7, masks.Report().Sparsity, 4);
        Assert.Equal(masks.Report().Zeros, SparsityReport.Of(model).Zeros);
    }

    [Theory]
    [InlineData("momentum")]
    [InlineData("adam")]
    public void Without_the_hook_the_optimiser_revives_pruned_weights(string optimizer)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        PruneAndTrain(model, masks, optimizer, hook: false);
        var revived = masks.Names.Sum(n => Tiny.NonZeroPruned(Tiny.Weight(model, n), masks[n]));
        Assert.True(revived > 1000, $"only {revived} pruned weights moved away from zero");
    }
}
