using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Tests.Data;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class MaskCheckpointTests
{
    [Theory]
    [InlineData(ModelZoo.LeNet300100)]
    [InlineData(ModelZoo.LeNet5)]
    public void Save_then_load_round_trips_weights_and_masks_bit_for_bit(string architecture)
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "pruned.ckpt");
        using var model = ModelZoo.Create(architecture, seed: 1);
        using var masks = ModelMasks.For(model, "fc3");
        masks.Prune(Scope.Global(0.6));
        masks.Save(path);

        using var fresh = ModelZoo.Create(architecture, seed: 2);
        using var loaded = ModelMasks.Load(fresh, path);
        Assert.Equal(masks.Names, loaded.Names);
        Assert.Same(fresh, loaded.Model);
        foreach (var name in masks.Names)
            Assert.Equal(Tiny.Bytes(masks[name]), Tiny.Bytes(loaded[name]));
        var expected = model.state_dict();
        var actual = fresh.state_dict();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var key in expected.Keys)
            Assert.Equal(Tiny.Bytes(expected[key]), Tiny.Bytes(actual[key]));
        Assert.Equal(masks.Report().Zeros, loaded.Report().Zeros);
    }

    [Fact]
    public void Loading_into_another_architecture_is_invalid_data()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "pruned.ckpt");
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 1);
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(0.5));
        masks.Save(path);
        using var other = ModelZoo.Create(ModelZoo.LeNet5, seed: 1);
        var error = Assert.Throws<InvalidDataException>(() => ModelMasks.Load(other, path));
        Assert.Contains(ModelZoo.LeNet300100, error.Message);
    }

    [Fact]
    public void A_checkpoint_without_masks_says_so()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "plain.ckpt");
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 1);
        Checkpoint.Save(model, path);
        var error = Assert.Throws<InvalidDataException>(() => ModelMasks.Load(model, path));
        Assert.Contains("no masks", error.Message);
    }

    [Fact]
    public void A_pruned_checkpoint_still_loads_as_a_plain_model()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "pruned.ckpt");
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 1);
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(0.5));
        masks.Save(path);
        using var fresh = ModelZoo.Create(ModelZoo.LeNet300100, seed: 2);
        var extras = Checkpoint.Load(fresh, path);
        // The masks, and the weights as they were before pruning (what Restore needs), travel as extra tensors.
        Assert.Equal(new[] { "mask::fc1.weight", "mask::fc2.weight", "mask::fc3.weight", "original::fc1.weight", "original::fc2.weight", "original::fc3.weight" },
            extras.Keys.Order(StringComparer.Ordinal));
        foreach (var tensor in extras.Values) tensor.Dispose();
        Assert.Equal(0.5, SparsityReport.Of(fresh).Sparsity, 12);
    }
}
