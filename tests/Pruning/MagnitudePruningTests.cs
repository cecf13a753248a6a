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
    public void The_lesson_00_reference_passes_its_own_check_and_a_wrong_answer_fails()
    {
        Assert.True(Lesson00.CheckPruneByMagnitude(MagnitudePruning.PruneTensor).Passed);
        Assert.False(Lesson00.CheckPruneByMagnitude((w, _) => w.clone()).Passed);
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
