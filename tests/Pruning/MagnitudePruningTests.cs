using PruningLab.Exercises;
using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class MagnitudePruningTests
{
    [Theory]
    [InlineData(new float[] { 0.5f, -0.1f, 0.3f, -0.8f, 0.05f, 0.9f, -0.2f, 0.01f }, 0.5, new float[] { 0.5f, 0, 0.3f, -0.8f, 0, 0.9f, 0, 0 })]
    [InlineData(new float[] { 0.5f, -0.1f, 0.3f, -0.8f, 0.05f, 0.9f, -0.2f, 0.01f }, 0.25, new float[] { 0.5f, -0.1f, 0.3f, -0.8f, 0, 0.9f, -0.2f, 0 })]
    [InlineData(new float[] { 1, -2, 3 }, 0.0, new float[] { 1, -2, 3 })]
    [InlineData(new float[] { 1, -2, 3 }, 1.0, new float[] { 0, 0, 0 })]
    [InlineData(new float[] { 1, -1, 1, -1 }, 0.5, new float[] { 0, 0, 1, -1 })]       // ties: earlier entries first
    [InlineData(new float[] { 3, -1, 2, 4, -5 }, 0.5, new float[] { 3, 0, 0, 4, -5 })] // 2.5 → 2
    public void PruneTensor_zeroes_the_smallest_magnitudes(float[] values, double fraction, float[] expected)
    {
        using var scope = NewDisposeScope();
        var weights = tensor(values).reshape(values.Length % 2 == 0 ? new long[] { 2, values.Length / 2 } : new long[] { values.Length });
        var pruned = MagnitudePruning.PruneTensor(weights, fraction);
        Assert.Equal(weights.shape, pruned.shape);
        Assert.Equal(expected, Tiny.Flat(pruned));
        Assert.Equal(values, Tiny.Flat(weights));   // the input is not changed
    }

    [Fact]
    public void PruneTensor_rejects_a_bad_fraction()
    {
        using var scope = NewDisposeScope();
        Assert.Contains("got 2", Assert.Throws<ArgumentOutOfRangeException>(() => MagnitudePruning.PruneTensor(ones(3), 2)).Message);
    }

    [Fact]
    public void GlobalMasks_rank_every_weight_of_every_tensor_together()
    {
        using var scope = NewDisposeScope();
        // |W1| = [0.5, 0.1, 0.3, 0.8, 0.05, 0.9, 0.2, 0.01], |W2| = [0.4, 0.02, 0.6, 0.15, 0.07, 1.0]; 7 of 14 go:
        // 0.01 (W1[7]), 0.02 (W2[1]), 0.05 (W1[4]), 0.07 (W2[4]), 0.1 (W1[1]), 0.15 (W2[3]), 0.2 (W1[6]).
        var masks = MagnitudePruning.GlobalMasks(new Dictionary<string, Tensor> { ["fc1"] = tensor(Tiny.W1), ["fc2"] = tensor(Tiny.W2) }, 0.5);
        Assert.Equal([1f, 0, 1, 1, 0, 1, 0, 0], Tiny.Flat(masks["fc1"]));
        Assert.Equal([1f, 0, 1, 0, 0, 1], Tiny.Flat(masks["fc2"]));
        Assert.Equal(float32, masks["fc1"].dtype);
        Assert.Equal([2L, 4], masks["fc1"].shape);
        // Equal magnitudes across tensors: the earlier tensor's entries go first. [1, 2, -1] and [[-1, 3], [1, 0.5]]: 3.5 of 7
        // rounds to 4: 0.5, then the 1s of the first tensor (two), then the first 1 of the second.
        var ties = MagnitudePruning.GlobalMasks(new Dictionary<string, Tensor> { ["a"] = tensor(new float[] { 1, 2, -1 }), ["b"] = tensor(new float[,] { { -1, 3 }, { 1, 0.5f } }) }, 0.5);
        Assert.Equal([0f, 1, 0], Tiny.Flat(ties["a"]));
        Assert.Equal([0f, 1, 1, 0], Tiny.Flat(ties["b"]));
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void PruneGlobal_reaches_the_global_sparsity_with_one_threshold(double fraction)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        var magnitudes = MagnitudePruning.WeightValues(model).Select(Math.Abs).ToArray();
        var report = MagnitudePruning.PruneGlobal(model, fraction);
        Assert.Equal(266_200, report.Total);
        Assert.Equal((long)Math.Round(fraction * 266_200, MidpointRounding.ToEven), report.Zeros);
        Assert.Equal(fraction, report.Sparsity, 5);
        // One threshold: every pruned weight was at most as large as every survivor.
        var after = MagnitudePruning.WeightValues(model);
        var largestPruned = magnitudes.Where((_, i) => after[i] == 0).Max();
        var smallestKept = magnitudes.Where((_, i) => after[i] != 0).Min();
        Assert.True(largestPruned <= smallestKept, $"{largestPruned} pruned but {smallestKept} kept");
        // Layers lose different fractions: the ranking is global.
        Assert.NotEqual(report.Layers[0].Sparsity, report.Layers[2].Sparsity, 3);
    }
}
