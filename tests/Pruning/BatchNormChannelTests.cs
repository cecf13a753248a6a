using PruningLab.Models;
using PruningLab.Pruning;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

/// <summary>
/// A known limit of masks, kept visible for lesson 04: pruning a convolution's output channel (a row of its weight) does
/// not silence the channel when BatchNorm follows, because BatchNorm turns the zero into γ·(0 − μ)/√(σ² + ε) + β.
/// </summary>
public class BatchNormChannelTests
{
    [Fact]
    public void A_masked_channel_still_outputs_a_constant_through_BatchNorm()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 0);
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var bn = (BatchNorm2d)modules["features.bn1"];
        using (no_grad())
        {
            bn.weight!.fill_(2f);            // γ
            bn.bias!.fill_(0.5f);            // β
            bn.running_mean!.fill_(0.1f);    // μ
            bn.running_var!.fill_(0.25f);    // σ²
        }
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.LayerWise(new Dictionary<string, double> { ["features.conv1"] = 1.0 / 16 }), granularity: Granularity.Rows);
        var pruned = masks["features.conv1"].sum([1L, 2L, 3L]).eq(0).nonzero().flatten().data<long>().ToArray();
        Assert.Single(pruned);
        var channel = pruned[0];

        Tensor? captured = null;
        var hook = bn.register_forward_hook((_, _, output) => { captured = output.detach().clone().DetachFromDisposeScope(); return output; });
        model.eval();
        model.call(randn(3, 1, 28, 28, generator: new Generator(2)));
        hook.remove();
        using var all = captured!;
        var values = all.select(1, channel);
        // γ·(0 − μ)/√(σ² + ε) + β with PyTorch's ε = 1e-5: 2·(−0.1)/√0.25001 + 0.5 ≈ 0.1, at every position of every image.
        var expected = 2f * -0.1f / MathF.Sqrt(0.25f + 1e-5f) + 0.5f;
        Assert.True((values - expected).abs().max().item<float>() < 1e-5f, "the masked channel is not the BatchNorm constant");
        Assert.True(expected > 0.09f);
    }
}
