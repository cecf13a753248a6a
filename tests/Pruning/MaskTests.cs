using PruningLab.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class MaskTests
{
    [Theory]
    // Half of 8 = 4 smallest |w|: 0.01 (idx 7), 0.05 (4), 0.1 (1), 0.2 (6).
    [InlineData(0.5, -1, new float[] { 1, 0, 1, 1, 0, 1, 0, 0 })]
    // Exactly 3: 0.01, 0.05, 0.1.
    [InlineData(-1, 3, new float[] { 1, 0, 1, 1, 0, 1, 1, 0 })]
    // 0.3 of 8 = 2.4 → 2: 0.01, 0.05.
    [InlineData(0.3, -1, new float[] { 1, 1, 1, 1, 0, 1, 1, 0 })]
    public void Layer_wise_magnitude_pruning_gives_the_hand_computed_mask(double fraction, long count, float[] expected)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model, "fc2");
        masks.Prune(Scope.Uniform(count >= 0 ? Amount.Exactly(count) : Amount.Of(fraction)));
        Assert.Equal(expected, Tiny.Flat(masks["fc1"]));
        var w = Tiny.Flat(Tiny.Weight(model, "fc1.weight"));
        var original = Tiny.Flat(tensor(Tiny.W1));
        for (var i = 0; i < 8; i++) Assert.Equal(expected[i] == 1 ? original[i] : 0f, w[i]);
        Assert.Same(masks["fc1"], masks["fc1.weight"]);
    }

    [Fact]
    public void Global_pruning_ranks_both_layers_together()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        // 5 smallest of all 14: 0.01 (fc1 7), 0.02 (fc2 1), 0.05 (fc1 4), 0.07 (fc2 4), 0.1 (fc1 1).
        masks.Prune(Scope.Global(Amount.Exactly(5)));
        Assert.Equal(new float[] { 1, 0, 1, 1, 0, 1, 1, 0 }, Tiny.Flat(masks["fc1"]));
        Assert.Equal(new float[] { 1, 0, 1, 1, 0, 1 }, Tiny.Flat(masks["fc2"]));
        // 0.5 of the 9 still alive = 4.5 → 4 more: 0.15 (fc2 3), 0.2 (fc1 6), 0.3 (fc1 2), 0.4 (fc2 0).
        masks.Prune(Scope.Global(0.5));
        Assert.Equal(new float[] { 1, 0, 0, 1, 0, 1, 0, 0 }, Tiny.Flat(masks["fc1"]));
        Assert.Equal(new float[] { 0, 0, 1, 0, 0, 1 }, Tiny.Flat(masks["fc2"]));
    }

    [Fact]
    public void Equal_magnitudes_are_pruned_in_flattened_order()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers(new float[,] { { 1, -1, 1, -1 }, { 2, -2, 2, 2 } });
        using var masks = ModelMasks.For(model, "fc2");
        masks.Prune(Scope.Uniform(Amount.Exactly(3)));
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 1, 1, 1 }, Tiny.Flat(masks["fc1"]));
        masks.Prune(Scope.Uniform(Amount.Exactly(2)));   // the last 1, then the first 2
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 1, 1, 1 }, Tiny.Flat(masks["fc1"]));
    }

    [Fact]
    public void Equal_magnitudes_across_layers_go_from_the_earlier_layer_first()
    {
        using var scope = NewDisposeScope();
        var half = new float[,] { { 0.5f, -0.5f, 0.5f, -0.5f }, { 0.5f, 0.5f, -0.5f, 0.5f } };
        var halfToo = new float[,] { { 0.5f, -0.5f }, { 0.5f, 0.5f }, { -0.5f, 0.5f } };
        using var model = Tiny.TwoLayers(half, halfToo);
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Global(Amount.Exactly(10)));
        Assert.Equal(new float[8], Tiny.Flat(masks["fc1"]));
        Assert.Equal(new float[] { 0, 0, 1, 1, 1, 1 }, Tiny.Flat(masks["fc2"]));
    }

    [Fact]
    public void Repeated_pruning_applies_to_what_is_alive_and_never_revives()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model, "fc2");
        masks.Prune(Scope.Uniform(0.5));
        var first = Tiny.Flat(masks["fc1"]);
        // Make a pruned weight large: it must stay pruned (its mask holds it at zero).
        using (no_grad()) Tiny.Weight(model, "fc1.weight")[1, 3] = tensor(100f);
        masks.Prune(Scope.Uniform(0.5));   // 2 of the 4 alive: 0.3 (idx 2), 0.5 (idx 0)
        var second = Tiny.Flat(masks["fc1"]);
        Assert.Equal(new float[] { 0, 0, 0, 1, 0, 1, 0, 0 }, second);
        Assert.Equal(0.25, second.Average(), 12);
        for (var i = 0; i < 8; i++) Assert.True(first[i] == 1 || second[i] == 0, $"entry {i} was revived");
        Assert.Equal(0f, Tiny.Weight(model, "fc1.weight")[1, 3].item<float>());
    }

    [Fact]
    public void Random_pruning_is_seeded()
    {
        float[] Mask(int seed)
        {
            using var scope = NewDisposeScope();
            using var model = nn.Sequential(("fc1", nn.Linear(20, 10)));
            using var masks = ModelMasks.For(model);
            masks.Prune(Scope.Uniform(0.5), Importance.Random(seed));
            return Tiny.Flat(masks["fc1"]);
        }
        var a = Mask(7);
        Assert.Equal(100, a.Count(v => v == 0));
        Assert.Equal(a, Mask(7));
        Assert.NotEqual(a, Mask(8));
    }

    [Theory]
    // Row 0 = [1, 1, 1, 1]: L1 4, L2 2. Row 1 = [2.5, 0.1, 0.1, 0.1]: L1 2.8, L2 ≈ 2.506.
    [InlineData(1.0, new float[] { 1, 1, 1, 1, 0, 0, 0, 0 })]   // L1 prunes row 1
    [InlineData(2.0, new float[] { 0, 0, 0, 0, 1, 1, 1, 1 })]   // L2 prunes row 0
    public void Rows_are_ranked_by_their_Lp_norm(double p, float[] expected)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers(new float[,] { { 1, 1, -1, 1 }, { -2.5f, 0.1f, 0.1f, -0.1f } });
        using var masks = ModelMasks.For(model, "fc2");
        masks.Prune(Scope.Uniform(Amount.Exactly(1)), Importance.Lp(p), Granularity.Rows);
        Assert.Equal(expected, Tiny.Flat(masks["fc1"]));
        var weight = Tiny.Flat(Tiny.Weight(model, "fc1.weight"));
        Assert.Equal(4, weight.Count(v => v == 0));
    }

    [Fact]
    public void Lp_needs_a_positive_finite_p()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Importance.Lp(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Importance.Lp(double.NaN));
    }

    [Fact]
    public void Kernels_granularity_zeroes_whole_kernels_of_a_convolution()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(2, 2, 3);
        // Kernel (out, in) holds the constant value[out, in] in all 9 entries.
        var value = new float[,] { { 0.5f, 0.1f }, { -0.3f, -0.05f } };
        using (no_grad()) conv.weight!.copy_(tensor(value).reshape(2, 2, 1, 1).expand(2, 2, 3, 3));
        using var model = nn.Sequential(("conv", conv), ("flatten", nn.Flatten()), ("fc", nn.Linear(2, 1)));
        using var masks = ModelMasks.For(model, "fc");
        masks.Prune(Scope.Uniform(Amount.Exactly(2)), granularity: Granularity.Kernels);   // (1,1) and (0,1)
        var mask = masks["conv"];
        Assert.Equal(new long[] { 2, 2, 3, 3 }, mask.shape);
        var kept = new[,] { { 1f, 0f }, { 1f, 0f } };
        for (var o = 0; o < 2; o++)
            for (var i = 0; i < 2; i++)
            {
                Assert.All(Tiny.Flat(mask[o, i]), v => Assert.Equal(kept[o, i], v));
                Assert.All(Tiny.Flat(conv.weight![o, i]), v => Assert.Equal(kept[o, i] * value[o, i], v));
            }
    }

    [Fact]
    public void Kernels_granularity_on_a_linear_weight_names_the_layer()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        var error = Assert.Throws<ArgumentException>(() => masks.Prune(Scope.Uniform(0.5), granularity: Granularity.Kernels));
        Assert.Contains("'fc1.weight'", error.Message);
        Assert.Equal(new float[8].Select(_ => 1f), Tiny.Flat(masks["fc1"]));   // nothing changed
    }

    [Fact]
    public void Given_scores_decide_instead_of_the_magnitudes()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model, "fc2");
        // The reverse of the magnitude order: the largest weights have the lowest scores.
        var scores = new Dictionary<string, Tensor> { ["fc1.weight"] = tensor(new float[,] { { 3, 6, 4, 1 }, { 7, 0, 5, 8 } }) };
        masks.Prune(Scope.Uniform(Amount.Exactly(3)), Importance.FromTensors(scores));   // scores 0 (idx 5), 1 (idx 3), 3 (idx 0)
        Assert.Equal(new float[] { 0, 1, 1, 0, 1, 0, 1, 1 }, Tiny.Flat(masks["fc1"]));
    }

    [Fact]
    public void Given_scores_must_name_every_layer_with_its_shape()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        var onlyFc1 = Importance.FromTensors(new Dictionary<string, Tensor> { ["fc1.weight"] = ones(2, 4) });
        var missing = Assert.Throws<KeyNotFoundException>(() => masks.Prune(Scope.Uniform(0.5), onlyFc1));
        Assert.Contains("'fc2.weight'", missing.Message);
        Assert.Contains("fc1.weight", missing.Message);
        var wrongShape = Importance.FromTensors(new Dictionary<string, Tensor> { ["fc1.weight"] = ones(4, 2), ["fc2.weight"] = ones(3, 2) });
        var shape = Assert.Throws<ArgumentException>(() => masks.Prune(Scope.Uniform(0.5), wrongShape));
        Assert.Contains("'fc1.weight'", shape.Message);
        Assert.Contains("[4,2]", shape.Message);
        Assert.Equal(0, masks.Report().Zeros);
    }
}
