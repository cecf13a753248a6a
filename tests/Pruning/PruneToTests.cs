using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class PruneToTests
{
    private static double MaskedSparsity(ModelMasks masks)
    {
        var layers = masks.Report().Layers.Where(l => masks.Names.Contains(l.Name)).ToList();
        return layers.Sum(l => l.Zeros) / (double)layers.Sum(l => l.Total);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PruneTo_reaches_each_target_in_turn(bool global)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        foreach (var target in new[] { 0.5, 0.8, 0.95 })
        {
            masks.PruneTo(target, global);
            Assert.Equal(target, masks.Report().Sparsity, 4);
            if (!global) Assert.All(masks.Report().Layers, l => Assert.Equal(target, l.Sparsity, 3));
        }
        var zeros = masks.Report().Zeros;
        masks.PruneTo(0.5, global);   // below the current sparsity: nothing changes
        Assert.Equal(zeros, masks.Report().Zeros);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PruneTo_counts_only_the_masked_layers_when_some_are_excluded(bool global)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model, "fc3");
        foreach (var target in new[] { 0.9, 0.95 })
        {
            masks.PruneTo(target, global);
            Assert.Equal(target, MaskedSparsity(masks), 4);
        }
        Assert.Equal(0, SparsityReport.Of(model).Layers.Single(l => l.Name == "fc3.weight").Zeros);
    }
}
