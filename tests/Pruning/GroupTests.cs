using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

/// <summary>Rows and kernels: on 4-D weights, in a global ranking, and as targets counted in weights.</summary>
public class GroupTests
{
    // conv: 3 filters of 2×2×2 (8 weights each) holding the constants 0.1, 0.3, 0.2; fc: 2 rows of 3 holding 0.25 and 0.05.
    private static nn.Module Model(out Tensor convWeight, out Tensor fcWeight)
    {
        var conv = nn.Conv2d(2, 3, 2, bias: false);
        var fc = nn.Linear(3, 2);
        using (no_grad())
        {
            conv.weight!.copy_(tensor(new[] { 0.1f, 0.3f, 0.2f }).reshape(3, 1, 1, 1).expand(3, 2, 2, 2));
            fc.weight!.copy_(tensor(new[] { 0.25f, 0.05f }).reshape(2, 1).expand(2, 3));
        }
        convWeight = conv.weight!;
        fcWeight = fc.weight!;
        return nn.Sequential(("conv", conv), ("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", fc));
    }

    [Fact]
    public void Rows_of_a_convolution_are_whole_filters()
    {
        using var scope = NewDisposeScope();
        using var model = Model(out var conv, out _);
        using var masks = ModelMasks.For(model, "fc");
        masks.Prune(Scope.Uniform(Amount.Exactly(1)), granularity: Granularity.Rows);   // the filter of 0.1 (L1 norm 0.8)
        Assert.Equal([0f, 1, 1], Enumerable.Range(0, 3).Select(o => Tiny.Flat(masks["conv"][o]).Distinct().Single()));
        Assert.All(Tiny.Flat(conv[0]), v => Assert.Equal(0f, v));
        Assert.All(Tiny.Flat(conv[1]), v => Assert.Equal(0.3f, v));
    }

    [Fact]
    public void A_global_ranking_of_rows_compares_rows_of_different_layers_by_their_summed_scores()
    {
        using var scope = NewDisposeScope();
        using var model = Model(out _, out _);
        using var masks = ModelMasks.For(model);
        // L1 norms: conv filters 0.8, 2.4, 1.6; fc rows 0.75, 0.15. The two lowest of five: fc row 1, then fc row 0.
        masks.Prune(Scope.Global(Amount.Exactly(2)), granularity: Granularity.Rows);
        Assert.Equal([0f, 0, 0, 0, 0, 0], Tiny.Flat(masks["fc"]));
        Assert.Equal(0, masks["conv"].eq(0).sum().item<long>());
        // One more: the filter of 0.1.
        masks.Prune(Scope.Global(Amount.Exactly(1)), granularity: Granularity.Rows);
        Assert.Equal(8, masks["conv"].eq(0).sum().item<long>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PruneTo_with_rows_reaches_the_target_within_one_row(bool global)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        foreach (var target in new[] { 0.3, 0.55, 0.8 })
        {
            masks.PruneTo(target, global, granularity: Granularity.Rows);
            var report = masks.Report();
            // At least the target, and less than one row more: fc1's rows are the widest (784 weights).
            Assert.InRange(masks.Sparsity, target, target + 784.0 / masks.Total);
            if (!global)
                foreach (var layer in report.Layers)
                    Assert.InRange(layer.Sparsity, target, target + 1.0 / layer.Rows);
            // Whole rows only: every row of every mask is all zero or all one.
            foreach (var name in masks.Names)
            {
                var rowSums = masks[name].sum(1);
                var width = masks[name].shape[1];
                Assert.True(rowSums.eq(0).logical_or(rowSums.eq(width)).all().item<bool>(), name);
            }
        }
    }

    [Fact]
    public void PruneTo_with_kernels_reaches_the_target_within_one_kernel()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet5, seed: 0);
        using var masks = ModelMasks.For(model, "fc1", "fc2", "fc3");
        masks.PruneTo(0.6, global: true, granularity: Granularity.Kernels);
        Assert.InRange(masks.Sparsity, 0.6, 0.6 + 25.0 / masks.Total);   // a 5×5 kernel is 25 weights
        masks.PruneTo(0.75, global: false, granularity: Granularity.Kernels);
        foreach (var layer in masks.Report().Layers.Where(l => l.Masked))
            Assert.InRange(layer.Sparsity, 0.75, 0.75 + 25.0 / layer.Total);
    }

    [Fact]
    public void After_fine_grained_pruning_a_row_counts_only_its_survivors_towards_the_target()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();   // fc1 [2,4], fc2 [3,2]: 14 weights
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(Amount.Exactly(1)));   // fc1 loses 0.01 (row 1), fc2 loses 0.02 (row 0): 2 of 14
        // Target 6/14: 4 more weights. Rows by L1 of what is left: fc2 row 0 (0.4, one survivor), fc2 row 1 (0.75, two),
        // fc2 row 2 (1.07, two), fc1 row 1 (1.15), fc1 row 0 (1.7). 1 + 2 = 3 < 4, 1 + 2 + 2 = 5 ≥ 4: three rows, 7 zeros.
        masks.PruneTo(6 / 14.0, granularity: Granularity.Rows);
        Assert.Equal(7, masks.Zeros);
        Assert.Equal([0f, 0, 0, 0, 0, 0], Tiny.Flat(masks["fc2"]));
        Assert.Equal([1f, 1, 1, 1, 1, 1, 1, 0], Tiny.Flat(masks["fc1"]));
    }
}
