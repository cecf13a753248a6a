using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class ExclusionTests
{
    [Theory]
    [InlineData("fc3")]
    [InlineData("fc3.weight")]
    public void An_excluded_layer_gets_no_mask_and_keeps_its_weights(string exclude)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        var fc3Before = Tiny.Bytes(Tiny.Weight(model, "fc3.weight"));
        using var masks = ModelMasks.For(model, exclude);
        Assert.Equal(new[] { "fc1.weight", "fc2.weight" }, masks.Names);
        masks.Prune(Scope.Uniform(0.5));
        masks.Prune(Scope.Global(0.5));
        Assert.Equal(fc3Before, Tiny.Bytes(Tiny.Weight(model, "fc3.weight")));
        Assert.Throws<KeyNotFoundException>(() => masks["fc3"]);
        Assert.Equal(0.75, masks.Report().Layers.Where(l => l.Name != "fc3.weight").Sum(l => l.Zeros) / (double)(784 * 300 + 300 * 100), 4);
    }

    [Fact]
    public void Excluding_an_unknown_layer_lists_the_prunable_ones()
    {
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        var error = Assert.Throws<ArgumentException>(() => ModelMasks.For(model, "fc4"));
        Assert.Contains("'fc4'", error.Message);
        Assert.Contains("fc1.weight, fc2.weight, fc3.weight", error.Message);
    }

    [Fact]
    public void Excluding_everything_is_an_error()
    {
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        Assert.Throws<ArgumentException>(() => ModelMasks.For(model, "fc1", "fc2", "fc3"));
    }

    [Fact]
    public void Layer_wise_amounts_name_layers_by_module_or_parameter_and_leave_the_others_alone()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.LayerWise(new Dictionary<string, double> { ["fc1"] = 0.5 }));
        Assert.Equal(new float[] { 1, 0, 1, 1, 0, 1, 0, 0 }, Tiny.Flat(masks["fc1"]));
        Assert.All(Tiny.Flat(masks["fc2"]), v => Assert.Equal(1f, v));
        masks.Prune(Scope.LayerWise(new Dictionary<string, double> { ["fc2.weight"] = 0.5 }));
        Assert.Equal(new float[] { 1, 0, 1, 0, 0, 1 }, Tiny.Flat(masks["fc2"]));   // 0.02, 0.07, 0.15
    }

    [Fact]
    public void An_unknown_layer_in_a_layer_wise_scope_lists_the_masked_ones()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        var error = Assert.Throws<ArgumentException>(() => masks.Prune(Scope.LayerWise(new Dictionary<string, double> { ["conv1"] = 0.5 })));
        Assert.Contains("'conv1'", error.Message);
        Assert.Contains("fc1.weight, fc2.weight", error.Message);
    }

    [Fact]
    public void NaN_weights_name_the_layer()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using (no_grad()) Tiny.Weight(model, "fc2.weight")[2, 1] = tensor(float.NaN);
        using var masks = ModelMasks.For(model);
        var error = Assert.Throws<ArgumentException>(() => masks.Prune(Scope.Uniform(0.5)));
        Assert.Contains("'fc2.weight'", error.Message);
        Assert.Contains("NaN", error.Message);
        Assert.Equal(0, masks.Report().Zeros);
    }
}
