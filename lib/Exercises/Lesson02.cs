using PruningLab.Pruning;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>Checks for the exercises of lesson 02 (train, prune, retrain; iterative and gradual pruning).</summary>
public static class Lesson02
{
    /// <summary>
    /// Exercise 2.1: the learner's optimiser step that keeps pruned weights at zero. The check prunes half of a small
    /// weight after two dense optimiser steps (so the optimiser carries momentum for the weights about to be pruned),
    /// then runs three steps of SGD with momentum and weight decay, and of Adam, through the learner's step. After
    /// each step every pruned weight must be exactly zero and every other weight must have taken the optimiser's step.
    /// </summary>
    public static CheckResult CheckMaskedStep(Action<optim.Optimizer, Tensor, Tensor> maskedStep) =>
        ExerciseCheck.Run("2.1", "keep pruned weights at zero during an optimiser step",
            "Think about what the optimiser remembers from before the pruning (momentum, Adam's averages, weight decay), and what you can still change after its step.",
            () =>
            {
                foreach (var (name, kind) in new[] { ("SGD, momentum 0.9, weight decay 0.01, 3 steps", 0), ("Adam, 3 steps", 1) })
                {
                    using var scope = NewDisposeScope();
                    var expected = RunSteps(kind, (opt, w, m) => { opt.step(); using (no_grad()) w.mul_(m); });
                    var actual = ExerciseCheck.Learner(name, () => RunSteps(kind, (opt, w, m) =>
                        ExerciseCheck.Unchanged(name, [("mask", m)], () => { maskedStep(opt, w, m); return 0; })));
                    var pruned = expected.Mask.eq(0);
                    var revived = actual.Weight.masked_select(pruned).count_nonzero().item<long>();
                    if (revived > 0)
                        return (false, $"case '{name}': {revived} pruned weights are not zero after the steps.");
                    if (!ExerciseCheck.Equal(actual.Weight, expected.Weight, 1e-6))
                        return (false, $"case '{name}': the surviving weights differ from one optimiser step each " +
                                       $"(expected {ExerciseCheck.Describe(expected.Weight.narrow(1, 0, 1))} in the first column, got {ExerciseCheck.Describe(actual.Weight.narrow(1, 0, 1))}).");
                }
                return (true, "SGD with momentum and weight decay, and Adam: pruned weights stay exactly zero, the others train normally.");
            });

    // Two dense steps, prune half by magnitude, then three steps through `step`; returns the final weight and the mask.
    private static (Tensor Weight, Tensor Mask) RunSteps(int optimizerKind, Action<optim.Optimizer, Tensor, Tensor> step)
    {
        using var g = new Generator(3);
        var weight = new Parameter(randn(6, 5, generator: g));
        var target = randn(6, 5, generator: g);
        using optim.Optimizer optimizer = optimizerKind == 0
            ? optim.SGD([weight], 0.1, momentum: 0.9, weight_decay: 0.01)
            : optim.Adam([weight], 0.05);
        for (var i = 0; i < 2; i++)
        {
            optimizer.zero_grad();
            (weight - target).pow(2).sum().backward();
            optimizer.step();
        }
        Tensor mask;
        using (no_grad())
        {
            // Half of the weights by magnitude (ties cannot occur with random values), computed without the library.
            var threshold = weight.abs().flatten().sort().Values[14];
            mask = weight.abs().gt(threshold).to(float32);
            weight.mul_(mask);
        }
        for (var i = 0; i < 3; i++)
        {
            optimizer.zero_grad();
            (weight - target).pow(2).sum().backward();
            step(optimizer, weight, mask);
        }
        return (weight.detach().clone(), mask);
    }

    /// <summary>Exercise 2.2: one round of iterative pruning on one tensor (a new mask over the survivors).</summary>
    public static CheckResult CheckPruneSurvivors(Func<Tensor, Tensor, double, Tensor> pruneSurvivors)
    {
        IEnumerable<(string Name, Func<(Tensor W, Tensor M, double F)> Input)> Cases()
        {
            yield return ("hand-written: 2×4, two pruned, prune half of the six left", () => (
                tensor(new float[,] { { 0.5f, -0.1f, 0.3f, -0.8f }, { 0.05f, 0.9f, -0.2f, 0.01f } }),
                tensor(new float[,] { { 1, 1, 0, 1 }, { 1, 1, 1, 0 } }), 0.5));
            foreach (var (name, weights) in Tensors)
                foreach (var (maskName, fraction) in new[] { ("dense mask", 0.5), ("half pruned", 0.5), ("half pruned", 0.0), ("half pruned", 1.0) })
                    yield return ($"{name}, {maskName}, prune {fraction} of survivors", () =>
                    {
                        var w = weights();
                        var mask = maskName == "dense mask" ? ones_like(w) : MagnitudePruning.Mask(w.flip(0), 0.5);   // a mask not aligned with |w|
                        return (w, mask, fraction);
                    });
        }
        return ExerciseCheck.Run("2.2", "one iterative pruning round",
            "The new mask may only remove weights that are still alive, and must keep every old zero. How do you make dead weights lose the ranking?",
            () =>
            {
                var count = 0;
                foreach (var (name, input) in Cases())
                {
                    using var scope = NewDisposeScope();
                    count++;
                    var (w, m, f) = input();
                    var expected = MagnitudePruning.PruneSurvivors(w, m, f);
                    var answer = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, [("weights", w), ("mask", m)],
                        () => pruneSurvivors(w, m, f)), ReferenceUse.Pruning);
                    ExerciseCheck.Shaped(name, "the new mask", answer, w.shape, float32);
                    if (!ExerciseCheck.Equal(answer, expected))
                        return (false, $"case '{name}': expected {ExerciseCheck.Describe(expected)}, got {ExerciseCheck.Describe(answer)}.");
                }
                return (true, $"{count} cases match (masks, shape, float32; inputs left unchanged).");
            });
    }

    /// <summary>Tensors shared by the cases of exercise 2.2.</summary>
    public static IReadOnlyList<(string Name, Func<Tensor> Weights)> Tensors { get; } =
    [
        ("ties", () => tensor(new float[] { 1f, -1f, 1f, -1f, 2f, 0f })),
        ("already sparse 3×5", () => tensor(new float[,] { { 0f, 1f, 0f, 0f, 2f }, { 0f, 0f, 0f, 0f, 0f }, { 3f, 0f, -4f, 0f, 5f } })),
        ("40×25 random", () => { using var g = new Generator(11); return randn(40, 25, generator: g); }),
    ];

    /// <summary>Exercise 2.3: the learner's Zhu–Gupta schedule s_t (cases before, during and after the pruning window).</summary>
    public static CheckResult CheckPolynomialSchedule(Func<long, double, double, long, int, long, double> sparsityAt)
    {
        var schedules = new[] { new PolynomialSchedule(0, 0.9, 0, 10, 100), new PolynomialSchedule(0.2, 0.95, 500, 4, 250) };
        var cases = schedules.SelectMany(s => new long[] { 0, s.StartStep, s.StartStep + 1, s.StartStep + s.Frequency, (s.StartStep + s.EndStep) / 2, s.EndStep - 1, s.EndStep, s.EndStep + 1000 }
            .Distinct().Select(t => (Name: $"s_i={s.InitialSparsity}, s_f={s.FinalSparsity}, t0={s.StartStep}, n={s.PruningSteps}, Δt={s.Frequency}, t={t}", S: s, T: t))).ToList();
        return ExerciseCheck.Run("2.3", "Zhu–Gupta polynomial schedule",
            "Before t₀ and after t₀ + n·Δt the sparsity is constant; in between, the share of the pruning window still ahead decides how far s_t is from s_f.",
            () =>
            {
                foreach (var (name, s, t) in cases)
                {
                    var expected = s.SparsityAt(t);
                    var answer = ExerciseCheck.Learner(name, () => sparsityAt(t, s.InitialSparsity, s.FinalSparsity, s.StartStep, s.PruningSteps, s.Frequency),
                        ReferenceUse.Schedule);
                    if (!(Math.Abs(answer - expected) < 1e-9))
                        return (false, $"case '{name}': expected {expected:F6}, got {answer:F6}.");
                }
                return (true, $"{cases.Count} steps match, before, inside and after the pruning window.");
            });
    }
}
