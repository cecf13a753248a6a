using PruningLab.Structured;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>Checks for the exercises of lesson 04 (channel surgery: slicing the layers around a pruned channel).</summary>
public static class Lesson04
{
    /// <summary>Exercise 4.1: the kept output channels of a producer (rows of its weight, entries of its bias).</summary>
    public static CheckResult CheckSliceOutputs(Func<Tensor, Tensor?, long[], (Tensor Weight, Tensor? Bias)> slice) =>
        ExerciseCheck.Run("4.1", "slice a layer's output channels",
            "A kept channel is a whole row of the weight (a filter, for a convolution) and one entry of the bias; everything else of that row goes.",
            () =>
            {
                foreach (var (name, input) in OutputCases())
                {
                    using var scope = NewDisposeScope();
                    var (weight, bias, keep) = input();
                    // Expected, row by row (an independent route: narrow and cat, not index_select).
                    var rows = cat(keep.Select(k => weight.narrow(0, k, 1)).ToList(), 0);
                    var entries = bias is null ? null : cat(keep.Select(k => bias.narrow(0, k, 1)).ToList(), 0);
                    var inputs = bias is null ? new[] { ("weight", weight) } : new[] { ("weight", weight), ("bias", bias) };
                    var (w, b) = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, inputs, () => slice(weight, bias, keep)), ReferenceUse.Surgery);
                    w = ExerciseCheck.Shaped(name, "weight", w, rows.shape, weight.dtype);
                    if (!ExerciseCheck.Same(w, rows)) return (false, $"case '{name}': the weight should hold rows [{string.Join(", ", keep)}] in that order.");
                    if (entries is null && b is not null) return (false, $"case '{name}': the layer has no bias; return null for it.");
                    if (entries is not null && !ExerciseCheck.Same(ExerciseCheck.Shaped(name, "bias", b, entries.shape, bias!.dtype), entries))
                        return (false, $"case '{name}': the bias should hold entries [{string.Join(", ", keep)}].");
                }
                return (true, $"{OutputCases().Count()} cases match: convolution and linear weights, with and without bias, any order of channels.");
            });

    /// <summary>Exercise 4.2: the inputs of the next layer that read the kept channels (blocks of inputs after a flatten).</summary>
    public static CheckResult CheckSliceInputs(Func<Tensor, long[], int, Tensor> slice) =>
        ExerciseCheck.Run("4.2", "slice the next layer's input channels",
            "The next layer reads channel c through its inputs along dimension 1: one input per channel after a convolution, a block of H×W consecutive inputs after a flatten.",
            () =>
            {
                foreach (var (name, input) in InputCases())
                {
                    using var scope = NewDisposeScope();
                    var (weight, keep, block) = input();
                    var expected = cat(keep.Select(k => weight.narrow(1, k * block, block)).ToList(), 1);
                    var answer = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, [("weight", weight)], () => slice(weight, keep, block)), ReferenceUse.Surgery);
                    answer = ExerciseCheck.Shaped(name, "result", answer, expected.shape, weight.dtype);
                    if (!ExerciseCheck.Same(answer, expected))
                        return (false, $"case '{name}': expected the inputs of channels [{string.Join(", ", keep)}], {block} per channel, in that order.");
                }
                return (true, $"{InputCases().Count()} cases match: conv → conv, linear → linear and conv → flatten → linear (blocks of 25).");
            });

    /// <summary>Exercise 4.3: the kept channels of a BatchNorm (γ, β, running mean, running variance).</summary>
    public static CheckResult CheckSliceBatchNorm(Func<BatchNormState, long[], BatchNormState> slice) =>
        ExerciseCheck.Run("4.3", "slice a BatchNorm",
            "BatchNorm keeps four numbers per channel, two learned and two measured; a removed channel takes all four with it.",
            () =>
            {
                foreach (var (name, count, keep) in new (string, int, long[])[] { ("8 channels, keep 3", 8, [1, 4, 6]), ("16 channels, keep half", 16, [0, 2, 4, 6, 8, 10, 12, 14]), ("5 channels, reordered", 5, [4, 0, 2]) })
                {
                    using var scope = NewDisposeScope();
                    using var g = new Generator((ulong)(11 + count));
                    var state = new BatchNormState(rand(count, generator: g) + 0.5, randn(count, generator: g), randn(count, generator: g), rand(count, generator: g) + 0.1);
                    var inputs = new[] { ("weight", state.Weight), ("bias", state.Bias), ("running mean", state.RunningMean), ("running variance", state.RunningVar) };
                    var answer = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, inputs, () => slice(state, keep)), ReferenceUse.Surgery);
                    if (answer is null) return (false, $"case '{name}': return a BatchNormState.");
                    foreach (var (what, before, after) in new[] { ("γ (Weight)", state.Weight, answer.Weight), ("β (Bias)", state.Bias, answer.Bias),
                                 ("μ (RunningMean)", state.RunningMean, answer.RunningMean), ("σ² (RunningVar)", state.RunningVar, answer.RunningVar) })
                    {
                        var expected = tensor(keep.Select(k => before[k].item<float>()).ToArray());
                        if (!ExerciseCheck.Same(ExerciseCheck.Shaped(name, what, after, expected.shape, before.dtype), expected))
                            return (false, $"case '{name}': {what} should hold the entries of channels [{string.Join(", ", keep)}].");
                    }
                }
                return (true, "3 cases match: all four tensors sliced, in the order given.");
            });

    private static IEnumerable<(string Name, Func<(Tensor Weight, Tensor? Bias, long[] Keep)> Input)> OutputCases()
    {
        yield return ("hand-written: 4 filters of 1×1×1, keep 3 and 1", () =>
            (tensor(new float[] { 10, 20, 30, 40 }).reshape(4, 1, 1, 1), tensor(new float[] { 1, 2, 3, 4 }), [3, 1]));
        yield return ("convolution [8, 3, 3, 3] without bias, keep 0, 2, 5", () =>
            (randn(8, 3, 3, 3, generator: new Generator(5)), null, [0, 2, 5]));
        yield return ("linear [6, 4] with bias, keep 1, 4, 5", () =>
        {
            using var g = new Generator(6);
            return (randn(6, 4, generator: g), randn(6, generator: g), [1, 4, 5]);
        });
    }

    private static IEnumerable<(string Name, Func<(Tensor Weight, long[] Keep, int Block)> Input)> InputCases()
    {
        yield return ("hand-written: linear [2, 6] = 3 channels × 2, keep channel 2", () =>
            (arange(12, dtype: float32).reshape(2, 6), [2], 2));
        yield return ("conv → conv: [4, 6, 3, 3], keep 0, 3, 5", () => (randn(4, 6, 3, 3, generator: new Generator(7)), [0, 3, 5], 1));
        yield return ("conv → flatten → linear: [10, 16·25], keep 1, 4, 9, 15", () => (randn(10, 400, generator: new Generator(8)), [1, 4, 9, 15], 25));
    }
}
