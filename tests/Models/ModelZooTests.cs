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

    [Theory]
    [InlineData("small-vgg-8-8-M-16-16-M-32-M", 8 * 9 + 8 * 8 * 9 + 8 * 16 * 9 + 16 * 16 * 9 + 16 * 32 * 9 + 2 * (8 + 8 + 16 + 16 + 32) + 32 * 10 + 10)]
    [InlineData("lenet-5-3-8-60-42", (25 * 3 + 3) + (3 * 25 * 8 + 8) + (8 * 25 * 60 + 60) + (60 * 42 + 42) + (42 * 10 + 10))]
    public void Widths_are_part_of_the_name_and_the_name_rebuilds_the_architecture(string architecture, long parameters)
    {
        using var model = ModelZoo.Create(architecture, seed: 0);
        Assert.Equal(architecture, model.GetName());
        Assert.Equal(parameters, model.parameters().Sum(p => p.numel()));
        using var copy = ModelZoo.Copy(model);
        Assert.Equal(architecture, copy.GetName());
    }

    [Fact]
    public void The_default_widths_keep_their_names_and_malformed_widths_are_refused()
    {
        Assert.Equal(ModelZoo.SmallVgg, new SmallVgg().GetName());
        Assert.Equal(ModelZoo.LeNet5, new LeNet5([6, 16, 120, 84]).GetName());
        foreach (var name in new[] { "small-vgg-", "small-vgg-M-M", "small-vgg-8-x", "small-vgg--8", "lenet-5-3-8-60", "lenet-5-0-8-60-42" })
            Assert.Contains("Unknown architecture", Assert.Throws<ArgumentException>(() => ModelZoo.Create(name, 0)).Message);
        Assert.Throws<ArgumentException>(() => new SmallVgg([0, 0]));
    }
}
