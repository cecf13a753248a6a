using System.Text.Json;
using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Structured;

/// <summary>Columns against torch, N:M patterns, group aggregates, and a global ranking that is normalised and capped.</summary>
public class GranularityTests
{
    private sealed record TorchCase(long[] Shape, double A, double B, int Dim, int N, double Amount, float[] Mask);
    private sealed record TorchFixture(string Generator, string Torch, List<TorchCase> Cases);

    public static IEnumerable<object[]> TorchCases()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Structured", "fixtures", "torch_ln_structured.json");
        var fixture = JsonSerializer.Deserialize<TorchFixture>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        return fixture.Cases.Select((c, i) => new object[] { i, $"[{string.Join(",", c.Shape)}] dim {c.Dim} n {c.N} amount {c.Amount}" });
    }

    [Theory]
    [MemberData(nameof(TorchCases))]
    public void Rows_and_columns_give_the_masks_of_torch_ln_structured(int index, string description)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Structured", "fixtures", "torch_ln_structured.json");
        var c = JsonSerializer.Deserialize<TorchFixture>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!.Cases[index];
        using var scope = NewDisposeScope();
        // The same formula as the generator: w[k] = sin(a·k + b)·(1 + k mod 5).
        var n = c.Shape.Aggregate(1L, (x, y) => x * y);
        var values = Enumerable.Range(0, (int)n).Select(k => (float)(Math.Sin(c.A * k + c.B) * (1 + k % 5))).ToArray();
        var layer = c.Shape.Length == 2 ? (nn.Module<Tensor, Tensor>)nn.Linear(c.Shape[1], c.Shape[0]) : nn.Conv2d(c.Shape[1], c.Shape[0], c.Shape[2]);
        using (no_grad()) layer.named_parameters().First(p => p.name == "weight").parameter.copy_(tensor(values).reshape(c.Shape));
        using var model = nn.Sequential(("layer", layer));
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Uniform(c.Amount), Importance.Lp(c.N), c.Dim == 0 ? Granularity.Rows : Granularity.Columns);
        Assert.True(c.Mask.SequenceEqual(masks["layer"].flatten().data<float>().ToArray()), description);
    }

    [Fact]
    public void Two_of_four_keeps_the_two_largest_of_every_four_consecutive_inputs()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new float[,] { { 0.1f, -0.9f, 0.5f, 0.2f, 3f, 2f, -1f, 0f }, { 0.3f, 0.3f, -0.3f, 0.1f, 0f, 0f, 0f, 0.4f } });
        // Row 0: |.1 .9 .5 .2| keeps .9, .5; |3 2 1 0| keeps 3, 2. Row 1: |.3 .3 .3 .1| keeps the first two (ties: earlier);
        // |0 0 0 .4| keeps .4 and the first zero.
        float[] expected = [0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1];
        var mask = NMSparsity.Mask(w, 2, 4);
        Assert.Equal(expected, mask.flatten().data<float>().ToArray());
        Assert.True(NMSparsity.Satisfies(mask, 2, 4));
        Assert.True(NMSparsity.Satisfies(mask, 3, 4));
        Assert.False(NMSparsity.Satisfies(mask, 1, 4));
        Assert.False(NMSparsity.Satisfies(ones(2, 8), 2, 4));
        Assert.False(NMSparsity.Satisfies(ones(2, 6), 2, 4));   // 6 inputs are not groups of 4
    }

    [Fact]
    public void In_a_convolution_the_groups_run_along_the_input_channels_at_each_kernel_position()
    {
        using var scope = NewDisposeScope();
        // [out 1, in 4, 1, 2]: position 0 holds inputs 4, 1, 3, 2; position 1 holds 1, 4, 2, 3.
        var w = tensor(new float[] { 4, 1, 1, 4, 3, 2, 2, 3 }).reshape(1, 4, 1, 2);
        var mask = NMSparsity.Mask(w, 2, 4);
        Assert.Equal(new float[] { 1, 0, 0, 1, 1, 0, 0, 1 }, mask.flatten().data<float>().ToArray());
        Assert.True(NMSparsity.Satisfies(mask, 2, 4));
    }

    [Fact]
    public void NOfM_through_ModelMasks_prunes_exactly_half_of_each_layer_and_refuses_other_amounts()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model, "fc3");   // fc3 has 100 inputs: 25 groups of 4, fine too, but it is the classifier
        masks.Prune(Scope.Uniform(0.5), granularity: Granularity.NOfM(2, 4));
        Assert.Equal(0.5, masks.Sparsity);
        Assert.True(NMSparsity.Satisfies(masks["fc1"], 2, 4) && NMSparsity.Satisfies(masks["fc2"], 2, 4));
        // The same as the tensor function: the two largest |w| of every four.
        Assert.True(masks["fc1"].eq(NMSparsity.Mask(model.named_parameters().First(p => p.name == "fc1.weight").parameter, 2, 4)).all().item<bool>());
        var wrongAmount = Assert.Throws<ArgumentException>(() => masks.Prune(Scope.Uniform(0.3), granularity: Granularity.NOfM(2, 4)));
        Assert.Contains("exactly 50", wrongAmount.Message);
        Assert.Throws<ArgumentException>(() => masks.Prune(Scope.Global(0.5), granularity: Granularity.NOfM(2, 4)));
        Assert.Throws<ArgumentException>(() => masks.PruneTo(0.6, granularity: Granularity.NOfM(2, 4)));
    }

    [Fact]
    public void Bad_N_M_patterns_and_dimensions_are_refused_with_the_layer_named()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Granularity.NOfM(4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Granularity.NOfM(4, 4));
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 0);
        using var masks = ModelMasks.For(model);
        var error = Assert.Throws<ArgumentException>(() => masks.Prune(Scope.Uniform(0.5), granularity: Granularity.NOfM(2, 4)));
        Assert.Contains("features.conv1", error.Message);    // one input channel: not a multiple of 4
        Assert.Contains("Exclude", error.Message);
        Assert.Throws<ArgumentException>(() => NMSparsity.Mask(ones(3, 6), 2, 4));
    }

    [Fact]
    public void Groups_aggregate_by_sum_mean_or_norm()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new float[,] { { 3, 4, 0, 0 }, { 1, 1, 1, 1 } });
        Assert.Equal([7.0, 4.0], Granularity.Rows.GroupScores(scores).data<double>().ToArray());
        Assert.Equal([1.75, 1.0], Granularity.Rows.By(Aggregate.Mean).GroupScores(scores).data<double>().ToArray());
        Assert.Equal([5.0, 2.0], Granularity.Rows.By(Aggregate.Norm(2)).GroupScores(scores).data<double>().ToArray());
        Assert.Equal([4.0, 5.0, 1.0, 1.0], Granularity.Columns.GroupScores(scores).data<double>().ToArray());
    }

    [Fact]
    public void A_normalised_global_ranking_compares_rows_with_their_own_layer_and_a_cap_keeps_every_layer_alive()
    {
        using var scope = NewDisposeScope();
        // Layer a: rows sum to 10, 20, 30, 40 (mean 25); layer b: rows sum to 1, 2, 3 (mean 2).
        var a = nn.Linear(2, 4);
        var b = nn.Linear(4, 3);
        using (no_grad())
        {
            a.weight!.copy_(tensor(new float[] { 5, 10, 15, 20 }).unsqueeze(1).expand(4, 2));
            b.weight!.copy_(tensor(new float[] { 0.25f, 0.5f, 0.75f }).unsqueeze(1).expand(3, 4));
        }
        using var model = nn.Sequential(("a", a), ("b", b));
        // Unnormalised, the three lowest of seven rows are all of b: b is emptied.
        using (var plain = ModelMasks.For(model))
        {
            plain.Prune(Scope.Global(Amount.Exactly(3)), granularity: Granularity.Rows);
            Assert.Equal(0, plain["b"].sum().item<float>());
            plain.Restore();
        }
        // Normalised: a → 0.4, 0.8, 1.2, 1.6 and b → 0.5, 1, 1.5; the three lowest: a0 (0.4), b0 (0.5), a1 (0.8).
        using (var normalised = ModelMasks.For(model))
        {
            normalised.Prune(Scope.Global(Amount.Exactly(3), normalizeLayers: true), granularity: Granularity.Rows);
            Assert.Equal(new float[] { 0, 0, 1, 1 }, normalised["a"].select(1, 0).data<float>().ToArray());
            Assert.Equal(new float[] { 0, 1, 1 }, normalised["b"].select(1, 0).data<float>().ToArray());
            normalised.Restore();
        }
        // Capped at 67 % of a layer: b may lose 2 rows (floor(0.67·3)), so the third goes to a's lowest.
        using var capped = ModelMasks.For(model);
        capped.Prune(Scope.Global(Amount.Exactly(3), maxPerLayer: 0.67), granularity: Granularity.Rows);
        Assert.Equal(new float[] { 0, 0, 1 }, capped["b"].select(1, 0).data<float>().ToArray());
        Assert.Equal(new float[] { 0, 1, 1, 1 }, capped["a"].select(1, 0).data<float>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Scope.Global(0.5, maxPerLayer: 0));
    }
}
