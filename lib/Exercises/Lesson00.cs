using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>Checks for the exercises of lesson 00 (set-up and first pruning).</summary>
public static class Lesson00
{
    /// <summary>
    /// The fixed cases of exercise 0.1, shared by the notebook's check and the unit test: a hand-written 2×4
    /// tensor, the edge amounts 0 and 1, ties, and a seeded random matrix.
    /// </summary>
    public static IReadOnlyList<(string Name, Func<(Tensor Weights, double Fraction)> Input)> PruneByMagnitudeCases { get; } =
    [
        ("2×4 tensor, half", () => (tensor(new float[,] { { 0.5f, -0.1f, 0.3f, -0.8f }, { 0.05f, 0.9f, -0.2f, 0.01f } }), 0.5)),
        ("nothing to prune", () => (tensor(new float[] { 1f, -2f, 3f }), 0.0)),
        ("prune everything", () => (tensor(new float[] { 1f, -2f, 3f }), 1.0)),
        ("ties: earlier entries go first", () => (tensor(new float[] { 1f, -1f, 1f, -1f }), 0.5)),
        ("30×20 random, 70%", () => { var g = new Generator(seed: 7); return (randn(30, 20, generator: g), 0.7); }),
    ];

    /// <summary>
    /// Exercise 0.1: checks the learner's magnitude pruning of one tensor against
    /// <see cref="MagnitudePruning.PruneTensor"/>; prints ✓ or ✗ with a hint and never throws.
    /// </summary>
    public static CheckResult CheckPruneByMagnitude(Func<Tensor, double, Tensor> pruneByMagnitude) =>
        ExerciseCheck.Compare<(Tensor Weights, double Fraction), float[]>(
            "Exercise 0.1 (prune one tensor by magnitude)",
            PruneByMagnitudeCases,
            input => pruneByMagnitude(input.Weights, input.Fraction).detach().flatten().to(float32).data<float>().ToArray(),
            input => MagnitudePruning.PruneTensor(input.Weights, input.Fraction).flatten().data<float>().ToArray(),
            (actual, expected) => actual.SequenceEqual(expected),
            "k = round(fraction × n) entries with the smallest |w| become 0. Sort |w| with `weights.abs().flatten().sort(stable: true)`, " +
            "take the first k indices, set those entries of a flattened copy to 0 and reshape to the original shape.",
            values => values.Length <= 8 ? $"[{string.Join(", ", values)}]" : $"{values.Count(v => v == 0)} zeros of {values.Length}");
}
