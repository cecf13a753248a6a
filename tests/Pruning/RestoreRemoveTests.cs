using PruningLab.Pruning;
using PruningLab.Tests.Data;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class RestoreRemoveTests
{
    private static readonly float[] PrunedHalf = [1, 0, 1, 1, 0, 1, 0, 0];

    [Fact]
    public void Restore_brings_back_the_pruned_values_keeps_the_trained_ones_and_resets_the_masks()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        var weight = Tiny.Weight(model, "fc1.weight");
        var original = Tiny.Flat(weight);
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(0.5));
        masks.Prune(Scope.Uniform(0.5));   // a second round: still undone back to the values before the first
        using (no_grad()) weight.add_(1);  // "training" moves every weight …
        masks.Apply();                     // … and the mask zeroes the pruned ones again
        var maskBefore = Tiny.Flat(masks["fc1"]);
        masks.Restore();
        var restored = Tiny.Flat(weight);
        for (var i = 0; i < 8; i++) Assert.Equal(maskBefore[i] == 1 ? original[i] + 1 : original[i], restored[i]);
        Assert.All(masks.Names.SelectMany(n => Tiny.Flat(masks[n])), v => Assert.Equal(1f, v));
        Assert.Equal(0, masks.Report().Zeros);
    }

    [Fact]
    public void After_a_restore_the_next_pruning_is_undone_to_the_values_it_found()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        var weight = Tiny.Weight(model, "fc1.weight");
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(0.5));
        masks.Restore();
        using (no_grad()) weight.mul_(2);   // dense training after the restore
        var beforeSecondPruning = Tiny.Flat(weight);
        masks.Prune(Scope.Uniform(0.5));
        masks.Restore();
        Assert.Equal(beforeSecondPruning, Tiny.Flat(weight));
    }

    [Fact]
    public void Remove_keeps_the_zeros_and_forgets_the_masks()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        var weight = Tiny.Weight(model, "fc1.weight");
        var original = Tiny.Flat(weight);
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(0.5));
        masks.Remove();
        var removed = Tiny.Flat(weight);
        for (var i = 0; i < 8; i++) Assert.Equal(PrunedHalf[i] * original[i], removed[i]);
        Assert.All(masks.Names.SelectMany(n => Tiny.Flat(masks[n])), v => Assert.Equal(1f, v));
        // Nothing holds the zeros any more: neither Apply nor Restore touches the weights.
        using (no_grad()) weight.add_(1);
        masks.Apply();
        masks.Restore();
        for (var i = 0; i < 8; i++) Assert.Equal(PrunedHalf[i] * original[i] + 1, Tiny.Flat(weight)[i]);
        Assert.Equal(3, SparsityReport.Of(model).Layers[1].Zeros);   // fc2 kept its 3 zeros
    }
}

public class RestoreAfterLoadTests
{
    [Fact]
    public void Restore_after_Load_brings_back_the_values_from_before_the_first_pruning()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "pruned.ckpt");
        using (var model = Tiny.TwoLayers())
        using (var masks = ModelMasks.For(model))
        {
            masks.Prune(Scope.Uniform(0.5));
            masks.Save(path);
        }
        using var fresh = Tiny.TwoLayers(new float[2, 4], new float[3, 2]);   // all zeros until loaded
        using var loaded = ModelMasks.Load(fresh, path);
        Assert.Equal([1f, 0, 1, 1, 0, 1, 0, 0], Tiny.Flat(loaded["fc1"]));
        Assert.Equal([0.5f, 0, 0.3f, -0.8f, 0, 0.9f, 0, 0], Tiny.Flat(Tiny.Weight(fresh, "fc1.weight")));
        loaded.Restore();
        Assert.Equal([0.5f, -0.1f, 0.3f, -0.8f, 0.05f, 0.9f, -0.2f, 0.01f], Tiny.Flat(Tiny.Weight(fresh, "fc1.weight")));
        Assert.Equal(0, loaded.Zeros);
    }

    [Fact]
    public void Prune_after_Remove_may_choose_the_removed_zeros_again()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(0.5));   // fc1: 0.01, 0.05, 0.1, 0.2 become exact zeros
        masks.Remove();
        Assert.Equal(0, masks.Zeros);
        // The zeros are now the smallest weights: pruning 50 % again picks exactly them, and nothing else.
        masks.Prune(Scope.Uniform(0.5));
        Assert.Equal([1f, 0, 1, 1, 0, 1, 0, 0], Tiny.Flat(masks["fc1"]));
        Assert.Equal([0.5f, 0, 0.3f, -0.8f, 0, 0.9f, 0, 0], Tiny.Flat(Tiny.Weight(model, "fc1.weight")));
        // Restore only knows the values from after Remove: the removed weights stay zero.
        masks.Restore();
        Assert.Equal([0.5f, 0, 0.3f, -0.8f, 0, 0.9f, 0, 0], Tiny.Flat(Tiny.Weight(model, "fc1.weight")));
    }
}
