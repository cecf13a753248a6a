using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>Checks for the exercises of lesson 00 (set-up and first pruning).</summary>
public static class Lesson00
{
    /// <summary>
    /// The fixed cases of exercise 0.1, shared by the notebook's check and the unit tests: a hand-written 2×4
    /// tensor, the edge amounts 0 and 1, ties, a half that rounds up, a float64 tensor and a seeded random matrix.
    /// </summary>
    public static IReadOnlyList<(string Name, Func<(Tensor Weights, double Fraction)> Input)> PruneByMagnitudeCases { get; } =
    [
        ("2×4 tensor, half", () => (tensor(new float[,] { { 0.5f, -0.1f, 0.3f, -0.8f }, { 0.05f, 0.9f, -0.2f, 0.01f } }), 0.5)),
        ("nothing to prune", () => (tensor(new float[] { 1f, -2f, 3f }), 0.0)),
        ("prune everything", () => (tensor(new float[] { 1f, -2f, 3f }), 1.0)),
        ("ties: earlier entries go first", () => (tensor(new float[] { 1f, -1f, 1f, -1f }), 0.5)),
        ("7 entries, half: 3.5 rounds to 4", () => (tensor(new float[] { 0.7f, -0.2f, 0.5f, 0.1f, -0.6f, 0.3f, 0.4f }), 0.5)),
        ("float64, 3×3, a third", () => (tensor(new double[,] { { 3, -1, 4 }, { -1, 5, -9 }, { 2, 6, -5 } }), 1 / 3.0)),
        ("30×20 random, 70%", () => { using var g = new Generator(seed: 7); return (randn(30, 20, generator: g), 0.7); }),
    ];

    /// <summary>
    /// Exercise 0.1: checks the learner's magnitude pruning of one tensor (values, shape, dtype, input left alone, no
    /// call to the library's ranking); prints ✓ or ✗ with a hint and never throws.
    /// </summary>
    public static CheckResult CheckPruneByMagnitude(Func<Tensor, double, Tensor> pruneByMagnitude) =>
        ExerciseCheck.Run("0.1", "prune one tensor by magnitude",
            "k = round(fraction × n) entries with the smallest |w| become 0: find which ones by ordering the entries by |w|.",
            () =>
            {
                foreach (var (name, input) in PruneByMagnitudeCases)
                {
                    using var scope = NewDisposeScope();
                    var (weights, fraction) = input();
                    var expected = MagnitudePruning.PruneTensor(weights, fraction);
                    var answer = ExerciseCheck.Learner(name,
                        () => ExerciseCheck.Unchanged(name, [("weights", weights)], () => pruneByMagnitude(weights, fraction)),
                        ReferenceUse.Pruning);
                    ExerciseCheck.Shaped(name, "the result", answer, weights.shape, weights.dtype);
                    if (!ExerciseCheck.Equal(answer, expected))
                        return (false, $"case '{name}': expected {ExerciseCheck.Describe(expected)}, got {ExerciseCheck.Describe(answer)}.");
                }
                return (true, $"{PruneByMagnitudeCases.Count} cases match (values, shape, dtype; inputs left unchanged).");
            });
}
