using PruningLab.Models;
using static TorchSharp.torch;

namespace PruningLab.Tests.Models;

public class ModelZooTests
{
    [Theory]
    [InlineData(ModelZoo.LeNet300100, 266_610)]
    [InlineData(ModelZoo.LeNet5, 61_706)]
    public void Architectures_have_their_textbook_parameter_counts(string architecture, long parameters)
    {
        using var model = ModelZoo.Create(architecture, seed: 1);
        Assert.Equal(parameters, model.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(ModelZoo.LeNet300100)]
    [InlineData(ModelZoo.LeNet5)]
    [InlineData(ModelZoo.SmallVgg)]
    public void Forward_maps_a_batch_of_images_to_ten_logits(string architecture)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(architecture, seed: 1);
        var logits = model.forward(randn(4, 1, 28, 28));
        Assert.Equal(new long[] { 4, 10 }, logits.shape);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_another_seed_does_not()
    {
        using var a = ModelZoo.Create(ModelZoo.LeNet5, seed: 3);
        using var b = ModelZoo.Create(ModelZoo.LeNet5, seed: 3);
        using var c = ModelZoo.Create(ModelZoo.LeNet5, seed: 4);
        var pa = a.state_dict(); var pb = b.state_dict(); var pc = c.state_dict();
        Assert.All(pa.Keys, k => Assert.True(pa[k].equal(pb[k]).all().item<bool>(), k));
        Assert.False(pa["conv1.weight"].equal(pc["conv1.weight"]).all().item<bool>());
    }

    [Fact]
    public void Unknown_architecture_names_the_choices()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet-50", 0));
        Assert.Contains("resnet-50", error.Message);
        Assert.Contains(ModelZoo.LeNet300100, error.Message);
    }

    [Fact]
    public void Copy_is_equal_and_independent()
    {
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 2);
        using var copy = ModelZoo.Copy(model);
        var original = model.state_dict();
        var copied = copy.state_dict();
        Assert.All(original.Keys, k => Assert.True(original[k].equal(copied[k]).all().item<bool>(), k));
        using (no_grad()) copied["classifier.weight"].zero_();
        Assert.NotEqual(0, original["classifier.weight"].abs().sum().item<float>());
    }
}
