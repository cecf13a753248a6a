using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class PruneToTests
{
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
}
