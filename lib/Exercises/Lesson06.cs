using System.Globalization;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>
/// Checks for the exercises of lesson 06 (Optimal Brain Damage): the OBD saliencies and the mask they give, and
/// Hutchinson's estimate of a Hessian's diagonal. The estimator is judged through the products it asks for: every
/// vector it passes is recorded, must be Rademacher (entries ±1, fresh for each sample), and its answer must be the
/// mean of v ⊙ Hv over exactly those vectors — so any correct random stream passes, and a diagonal H, where one
/// sample is already exact, pins it further.
/// </summary>
public static class Lesson06
{
    /// <summary>Exercise 6.1: s = ½·h·w² per weight, and the mask that prunes the round(amount × n) lowest.</summary>
    public static CheckResult CheckObd(Func<Tensor, Tensor, double, (Tensor Saliency, Tensor Mask)> obd) =>
        ExerciseCheck.Run("6.1", "the OBD saliency and its mask",
            "Each weight's saliency is ½ · h_kk · w_k², its own curvature times its square, halved. Rank the saliencies; the round(amount × n) lowest go (rounded to the nearest, halves to even).",
            () =>
            {
                foreach (var (name, make, amount) in ObdCases())
                {
                    using var scope = NewDisposeScope();
                    var (w, h) = make();
                    var (saliency, mask) = ExerciseCheck.Learner(name,
                        () => ExerciseCheck.Unchanged(name, [("w", w), ("hDiagonal", h)], () => obd(w, h, amount)), ReferenceUse.Damage, ReferenceUse.Pruning);
                    saliency = ExerciseCheck.Shaped(name, "the saliencies", saliency, w.shape, float64);
                    mask = ExerciseCheck.Shaped(name, "the mask", mask, w.shape, float32);
                    var (ws, hs, s, m) = (ExerciseCheck.Values(w), ExerciseCheck.Values(h), ExerciseCheck.Values(saliency), ExerciseCheck.Values(mask));
                    var expected = ws.Select((v, i) => 0.5 * hs[i] * v * v).ToArray();
                    for (var i = 0; i < ws.Length; i++)
                        if (Math.Abs(s[i] - expected[i]) > 1e-9 * Math.Max(1, Math.Abs(expected[i])))
                            return (false, $"case '{name}': weight {i} has saliency {ExerciseCheck.Text(s[i])}; ½·h·w² is {ExerciseCheck.Text(expected[i])}.");
                    if (m.Any(v => v != 0 && v != 1)) return (false, $"case '{name}': a mask holds only 0 (pruned) and 1 (kept).");
                    var prune = (int)Math.Round(amount * ws.Length, MidpointRounding.ToEven);
                    var pruned = Enumerable.Range(0, ws.Length).Where(i => m[i] == 0).ToList();
                    if (pruned.Count != prune)
                        return (false, $"case '{name}': {amount.ToString(CultureInfo.InvariantCulture)} of {ws.Length} weights is {prune} (rounded to the nearest, as torch does); you pruned {pruned.Count}.");
                    var lowestKept = Enumerable.Range(0, ws.Length).Except(pruned).Select(i => expected[i]).DefaultIfEmpty(double.PositiveInfinity).Min();
                    if (pruned.Any(i => expected[i] > lowestKept * (1 + 1e-9)))
                        return (false, $"case '{name}': you pruned a weight whose saliency is larger than that of a weight you kept (rank by ½·h·w², not by |w| or h alone).");
                }
                return (true, $"{ObdCases().Count()} cases match: saliencies, how many go, and that none kept is cheaper than one pruned.");
            });

    /// <summary>Exercise 6.2: the mean over <c>samples</c> Rademacher vectors v of v ⊙ Hv, given only v ↦ Hv.</summary>
    public static CheckResult CheckHutchinson(Func<Func<Tensor, Tensor>, long, int, Generator, Tensor> hutchinson) =>
        ExerciseCheck.Run("6.2", "Hutchinson's estimate of the Hessian diagonal",
            "Draw v with entries ±1 at random (a fresh v for every sample), ask for Hv, multiply entry by entry, and average v ⊙ Hv over the samples. Since E[vᵢvⱼ] is 1 when i = j and 0 otherwise, the mean tends to the diagonal.",
            () =>
            {
                foreach (var (name, matrix, samples) in HutchinsonCases())
                {
                    using var scope = NewDisposeScope();
                    var h = matrix();
                    var n = h.shape[0];
                    var asked = new List<Tensor>();
                    Tensor Product(Tensor v)
                    {
                        if (v is null || v.IsInvalid || !v.shape.SequenceEqual([n]))
                            throw ExerciseCheck.LearnerException.Plain($"case '{name}': pass v as a vector of {n} entries.");
                        asked.Add(v.detach().to(float64).clone());
                        return h.matmul(v.detach().to(float64));
                    }
                    using var generator = new Generator(17);
                    var estimate = ExerciseCheck.Learner(name, () => hutchinson(Product, n, samples, generator));
                    estimate = ExerciseCheck.Shaped(name, "the estimate", estimate, [n], float64);
                    if (asked.Count != samples)
                        return (false, $"case '{name}': {samples} samples need {samples} products Hv; you asked for {asked.Count}.");
                    if (asked.Any(v => !v.abs().eq(1).all().item<bool>()))
                        return (false, $"case '{name}': every entry of v must be +1 or −1 (Rademacher); one of your vectors holds {ExerciseCheck.Describe(asked.First(v => !v.abs().eq(1).all().item<bool>()))}.");
                    if (samples >= 4 && asked.Skip(1).All(v => v.eq(asked[0]).all().item<bool>()))
                        return (false, $"case '{name}': all {samples} of your vectors are the same; draw a fresh v for every sample.");
                    var expected = asked.Select(v => v * h.matmul(v)).Aggregate((a, b) => a + b) / samples;
                    if (!ExerciseCheck.Equal(estimate, expected, 1e-9))
                        return (false, $"case '{name}': your estimate is {ExerciseCheck.Describe(estimate)}; the mean of v ⊙ Hv over the vectors you drew is {ExerciseCheck.Describe(expected)}.");
                    if (h.diagonal().diag().eq(h).all().item<bool>() && !ExerciseCheck.Equal(estimate, h.diagonal(), 1e-12))
                        return (false, $"case '{name}': for a diagonal H every sample gives the diagonal exactly; you got {ExerciseCheck.Describe(estimate)}.");
                }
                return (true, $"{HutchinsonCases().Count()} cases match: Rademacher vectors, one product per sample, the mean of v ⊙ Hv, and the exact diagonal of a diagonal H.");
            });

    private static IEnumerable<(string Name, Func<(Tensor W, Tensor H)> Make, double Amount)> ObdCases()
    {
        yield return ("hand-written: the smallest |w| has the largest curvature", () =>
            (tensor(new float[] { 0.1f, -0.5f, 1, 0.3f }), tensor(new double[] { 1000, 1, 0.01, 2 })), 0.5);
        yield return ("h·|w| and ½·h·w² disagree", () =>
            (tensor(new float[] { 0.2f, 2, -1, 0.5f, 3 }), tensor(new double[] { 10, 0.4, 2, 3, 0.05 })), 0.4);
        yield return ("random [6, 8], prune 0.7", () =>
        {
            using var g = new Generator(61);
            return (randn(6, 8, generator: g), rand(6, 8, dtype: float64, generator: g).pow(3));
        }, 0.7);
        yield return ("nothing to prune: amount 0", () => (randn(3, 3, generator: new Generator(62)), ones(3, 3, dtype: float64)), 0);
    }

    private static IEnumerable<(string Name, Func<Tensor> Matrix, int Samples)> HutchinsonCases()
    {
        yield return ("a diagonal H, 3 samples", () => tensor(new double[] { 2, -1, 0.5, 4, 3 }).diag(), 3);
        yield return ("a symmetric 6×6 H, 8 samples", () =>
        {
            using var g = new Generator(63);
            var a = randn(6, 6, dtype: float64, generator: g);
            return a + a.T;
        }, 8);
        yield return ("a symmetric 3×3 H, 1 sample", () => tensor(new double[] { 1, 2, 0, 2, 1, 3, 0, 3, 1 }).reshape(3, 3), 1);
    }

}
