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
    /// runs three steps of SGD with momentum and weight decay, and of Adam, and compares the weights with the library's
    /// masked step.
    /// </summary>
    public static CheckResult CheckMaskedStep(Action<optim.Optimizer, Tensor, Tensor> maskedStep) =>
        ExerciseCheck.Compare<int, float[]>("Exercise 2.1 (keep pruned weights at zero during an optimiser step)",
            [("SGD momentum 0.9 + weight decay, 3 steps", () => 0), ("Adam, 3 steps", () => 1)],
            optimizer => RunSteps(optimizer, maskedStep),
            optimizer => RunSteps(optimizer, (opt, weight, mask) => { opt.step(); using (no_grad()) weight.mul_(mask); }),
            (a, e) => a.Zip(e).All(p => Math.Abs(p.First - p.Second) < 1e-6) && a.Length == e.Length,
            "Take the optimiser step, then multiply the weight by its mask in place, outside autograd: `optimizer.step(); using (no_grad()) weight.mul_(mask);`. " +
            "Zeroing only the gradient is not enough: the momentum (or Adam's averages) built up before pruning still moves pruned weights.",
            v => $"{v.Count(x => x == 0)} zeros, first values [{string.Join(", ", v.Take(4).Select(x => x.ToString("F4")))}]");

    private static float[] RunSteps(int optimizerKind, Action<optim.Optimizer, Tensor, Tensor> step)
    {
        using var scope = NewDisposeScope();
        var weight = new Parameter(randn(6, 5, generator: new Generator(3)));
        optim.Optimizer optimizer = optimizerKind == 0
            ? optim.SGD([weight], 0.1, momentum: 0.9, weight_decay: 0.01)
            : optim.Adam([weight], 0.05);
        var target = randn(6, 5, generator: new Generator(4));
        // Two dense steps first: like a model pruned after training, the optimiser carries momentum (or Adam's
        // running averages) for the weights about to be pruned.
        for (var i = 0; i < 2; i++)
        {
            optimizer.zero_grad();
            (weight - target).pow(2).sum().backward();
            optimizer.step();
        }
        var mask = MagnitudePruning.Mask(weight, 0.5);
        using (no_grad()) weight.mul_(mask);
        for (var i = 0; i < 3; i++)
        {
            optimizer.zero_grad();
            (weight - target).pow(2).sum().backward();
            step(optimizer, weight, mask);
        }
        return weight.detach().flatten().data<float>().ToArray();
    }

    /// <summary>Exercise 2.2: one round of iterative pruning on one tensor, against <see cref="MagnitudePruning.PruneSurvivors"/>.</summary>
    public static CheckResult CheckPruneSurvivors(Func<Tensor, Tensor, double, Tensor> pruneSurvivors)
    {
        IEnumerable<(string, Func<(Tensor W, Tensor M, double F)>)> Cases()
        {
            foreach (var (name, weights) in Lesson01.Tensors)
                foreach (var (maskName, fraction) in new[] { ("dense mask", 0.5), ("half pruned", 0.5), ("half pruned", 0.0), ("half pruned", 1.0) })
                    yield return ($"{name}, {maskName}, prune {fraction} of survivors", () =>
                    {
                        var w = weights();
                        var mask = maskName == "dense mask" ? ones_like(w) : MagnitudePruning.Mask(w.flip(0), 0.5);   // a mask not aligned with |w|
                        return (w, mask, fraction);
                    });
        }
        return ExerciseCheck.Compare<(Tensor W, Tensor M, double F), float[]>("Exercise 2.2 (one iterative pruning round)", Cases(),
            c => pruneSurvivors(c.W, c.M, c.F).detach().to(float32).flatten().data<float>().ToArray(),
            c => MagnitudePruning.PruneSurvivors(c.W, c.M, c.F).flatten().data<float>().ToArray(),
            (a, e) => a.SequenceEqual(e),
            "Count the survivors (mask > 0), prune k = round(fraction × survivors) of them with the smallest |w| (ties: earlier first) " +
            "and keep every entry the old mask had pruned at 0. Give dead entries a score of +∞ before sorting so they are never picked again.",
            v => v.Length <= 8 ? $"[{string.Join(", ", v)}]" : $"{v.Count(x => x == 0)} zeros of {v.Length}");
    }

    /// <summary>Exercise 2.3: the learner's Zhu–Gupta schedule against <see cref="PolynomialSchedule.SparsityAt"/>.</summary>
    public static CheckResult CheckPolynomialSchedule(Func<long, double, double, long, int, long, double> sparsityAt)
    {
        var schedules = new[] { new PolynomialSchedule(0, 0.9, 0, 10, 100), new PolynomialSchedule(0.2, 0.95, 500, 4, 250) };
        var cases = schedules.SelectMany(s => new long[] { 0, s.StartStep, s.StartStep + 1, s.StartStep + s.Frequency, (s.StartStep + s.EndStep) / 2, s.EndStep - 1, s.EndStep, s.EndStep + 1000 }
            .Select(t => ($"s_i={s.InitialSparsity}, s_f={s.FinalSparsity}, t0={s.StartStep}, n={s.PruningSteps}, Δt={s.Frequency}, t={t}", (Func<(PolynomialSchedule, long)>)(() => (s, t)))));
        return ExerciseCheck.Compare<(PolynomialSchedule S, long T), double>("Exercise 2.3 (Zhu–Gupta polynomial schedule)", cases,
            c => sparsityAt(c.T, c.S.InitialSparsity, c.S.FinalSparsity, c.S.StartStep, c.S.PruningSteps, c.S.Frequency),
            c => c.S.SparsityAt(c.T),
            (a, e) => Math.Abs(a - e) < 1e-9,
            "s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(n·Δt))³ between t0 and t0 + n·Δt; s_i before t0 and s_f after the end. Use Math.Pow(…, 3) and doubles.",
            v => v.ToString("F6"));
    }
}
