using PruningLab.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Tests.Models;

/// <summary>What later lessons rely on: hooks fire everywhere, the global random generator is left alone, widths are fixed.</summary>
public class ModelContractTests
{
    public static IEnumerable<object[]> Architectures() =>
        ModelZoo.Architectures.Append(ModelZoo.Mlp(34)).Append(ModelZoo.Mlp(64, 32)).Select(a => new object[] { a });

    [Theory]
    [MemberData(nameof(Architectures))]
    public void A_forward_hook_on_every_submodule_fires_once_per_call(string architecture)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(architecture, seed: 0);
        var fired = new Dictionary<string, int>();
        var handles = model.named_modules().Where(m => m.name.Length > 0)
            .Select(m => m.module switch
            {
                nn.Module<Tensor, Tensor> module => module.register_forward_hook((_, _, output) =>
                {
                    fired[m.name] = fired.GetValueOrDefault(m.name) + 1;
                    return output;
                }),
                _ => null,
            }).Where(h => h is not null).ToList();
        model.call(zeros(2, 1, 28, 28));
        foreach (var handle in handles) handle!.remove();
        var expected = model.named_modules().Where(m => m.name.Length > 0 && m.module is nn.Module<Tensor, Tensor>).Select(m => m.name).ToList();
        Assert.NotEmpty(expected);
        Assert.All(expected, name => Assert.True(fired.GetValueOrDefault(name) == 1, $"{architecture}: the hook of '{name}' fired {fired.GetValueOrDefault(name)} times"));
        Assert.Equal([1L, 28, 28], ((ICourseModel)model).InputShape);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Create_and_Copy_leave_the_global_random_generator_as_they_found_it(string architecture)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(42);
        var expected = rand(5);
        random.manual_seed(42);
        using (var model = ModelZoo.Create(architecture, seed: 7))
        using (var copy = ModelZoo.Copy(model)) { }
        Assert.True(rand(5).equal(expected).all().item<bool>(), "a draw after Create/Copy differs from one without them");
    }

    [Fact]
    public void Mlp_names_list_their_widths_and_rebuild_the_same_network()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("mlp-784-34-10", ModelZoo.Mlp(34));
        using var model = ModelZoo.Create("mlp-784-34-10", seed: 1);
        Assert.Equal(784 * 34 + 34 + 34 * 10 + 10, model.parameters().Sum(p => p.numel()));
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], model.named_parameters().Select(p => p.name));
        using var copy = ModelZoo.Copy(model);
        Assert.Equal("mlp-784-34-10", copy.GetName());
        Assert.All(model.state_dict(), p => Assert.True(p.Value.equal(copy.state_dict()[p.Key]).all().item<bool>()));
        foreach (var bad in new[] { "mlp-784-10", "mlp-784-0-10", "mlp-100-34-10", "mlp-784-x-10" })
            Assert.Contains("Unknown architecture", Assert.Throws<ArgumentException>(() => ModelZoo.Create(bad, 0)).Message);
    }

    [Fact]
    public void An_mlp_on_fewer_inputs_sees_the_block_averages_of_the_image()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("mlp-196-16-10", ModelZoo.TinyMlp);
        Assert.Equal("mlp-49-8-10", ModelZoo.MlpOn(49, 8));
        using var model = ModelZoo.Create(ModelZoo.TinyMlp, seed: 2);
        Assert.Equal(196 * 16 + 16 + 16 * 10 + 10, model.parameters().Sum(p => p.numel()));
        using var g = new Generator(4);
        var images = randn(3, 1, 28, 28, generator: g);
        // By hand: the mean of each 2×2 block, row by row, then the two layers.
        var blocks = images.reshape(3, 14, 2, 14, 2).mean([2L, 4L]).reshape(3, 196);
        var p = model.named_parameters().ToDictionary(n => n.name, n => (Tensor)n.parameter);
        var expected = nn.functional.relu(blocks.matmul(p["fc1.weight"].T) + p["fc1.bias"]).matmul(p["fc2.weight"].T) + p["fc2.bias"];
        using (no_grad())
        {
            Assert.True((model.call(images) - expected).abs().max().item<float>() < 1e-5);
            Assert.True((model.call(blocks) - expected).abs().max().item<float>() < 1e-5);   // already averaged
        }
        using var copy = ModelZoo.Copy(model);
        Assert.Equal(ModelZoo.TinyMlp, copy.GetName());
        foreach (var bad in new[] { "mlp-100-16-10", "mlp-0196-16-10", "mlp-+196-16-10" })
            Assert.Contains("Unknown architecture", Assert.Throws<ArgumentException>(() => ModelZoo.Create(bad, 0)).Message);
        Assert.Contains("196, 49 or 16", Assert.Throws<ArgumentException>(() => new Mlp(100, [4])).Message);
    }

    [Fact]
    public void SmallVgg_default_widths_cannot_be_changed_by_a_caller()
    {
        Assert.Throws<NotSupportedException>(() => ((IList<int>)SmallVgg.DefaultWidths)[0] = 99);
        Assert.Equal(16, SmallVgg.DefaultWidths[0]);
    }
}
