using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>
/// Checks for the exercises of lesson 07 (Optimal Brain Surgeon): one OBS step (the saliencies, the cheapest weight
/// and the compensating update), and the inverse-Hessian downdate. Expected values come from plain loops over arrays, and the downdate is
/// also compared with the inverse of the Hessian with the weight's row and column struck out — the identity it rests on.
/// </summary>
public static class Lesson07
{
    /// <summary>
    /// Exercise 7.1: one OBS step — the weight q of lowest saliency w_q²/(2[H⁻¹]_qq), its saliency, and the weights
    /// after removing it, w − (w_q/[H⁻¹]_qq)·H⁻¹e_q with w_q exactly 0.
    /// </summary>
    public static CheckResult CheckObsStep(Func<Tensor, Tensor, (long Q, double Saliency, Tensor Updated)> obsStep) =>
        ExerciseCheck.Run("7.1", "one OBS step: the saliency and the update",
            "Every weight's saliency needs only the diagonal of H⁻¹: w_q² / (2·[H⁻¹]_qq); the lowest goes. The update moves every weight along column q of H⁻¹, scaled by w_q / [H⁻¹]_qq, subtracted — which makes w_q itself zero.",
            () =>
            {
                foreach (var (name, make) in Cases())
                {
                    using var scope = NewDisposeScope();
                    var (w, inverse) = make();
                    var n = (int)w.shape[0];
                    var (q, saliency, updated) = ExerciseCheck.Learner(name,
                        () => ExerciseCheck.Unchanged(name, [("w", w), ("hInverse", inverse)], () => obsStep(w, inverse)), ReferenceUse.Surgeon);
                    var (ws, h) = (ExerciseCheck.Values(w), ExerciseCheck.Values(inverse));
                    var saliencies = Enumerable.Range(0, n).Select(i => ws[i] * ws[i] / (2 * h[i * n + i])).ToArray();
                    var best = Array.IndexOf(saliencies, saliencies.Min());
                    if (q != best)
                        return (false, $"case '{name}': you removed weight {q}; the lowest saliency w_q²/(2[H⁻¹]_qq) is weight {best}'s ({ExerciseCheck.Text(saliencies[best])})" +
                                       (q >= 0 && q < n ? $", not {q}'s ({ExerciseCheck.Text(saliencies[q])})." : "."));
                    if (!Close(saliency, saliencies[best]))
                        return (false, $"case '{name}': the saliency of weight {q} is {ExerciseCheck.Text(saliencies[best])}; you returned {ExerciseCheck.Text(saliency)}.");
                    updated = ExerciseCheck.Shaped(name, "the updated weights", updated, [n], float64);
                    var after = ExerciseCheck.Values(updated);
                    if (after[q] != 0) return (false, $"case '{name}': weight {q} is {ExerciseCheck.Text(after[q])} after its removal; set it to exactly 0.");
                    for (var i = 0; i < n; i++)
                    {
                        if (i == q) continue;
                        var expected = ws[i] - ws[q] / h[q * n + q] * h[i * n + q];
                        if (!Close(after[i], expected))
                            return (false, $"case '{name}': after removing weight {q}, weight {i} becomes {ExerciseCheck.Text(after[i])}; expected w_i − (w_q/[H⁻¹]_qq)·[H⁻¹]_iq = {ExerciseCheck.Text(expected)}.");
                    }
                }
                return (true, $"{Cases().Count()} cases match: the weight chosen, its saliency and every updated weight.");
            });

    /// <summary>Exercise 7.2: H⁻¹ − H⁻¹e_q e_qᵀH⁻¹/[H⁻¹]_qq.</summary>
    public static CheckResult CheckDowndate(Func<Tensor, long, Tensor> downdate) =>
        ExerciseCheck.Run("7.2", "the inverse-Hessian downdate",
            "Take column q of H⁻¹ (call it c) and the pivot p = [H⁻¹]_qq. The new inverse is H⁻¹ − c·cᵀ/p: an outer product, divided by the pivot.",
            () =>
            {
                foreach (var (name, make) in Cases())
                {
                    using var scope = NewDisposeScope();
                    var (_, inverse) = make();
                    var n = inverse.shape[0];
                    foreach (var q in new long[] { 0, n - 1 })
                    {
                        var result = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, [("hInverse", inverse)], () => downdate(inverse, q)), ReferenceUse.Surgeon);
                        result = ExerciseCheck.Shaped(name, $"the inverse after removing {q}", result, [n, n], float64);
                        var (h, got) = (ExerciseCheck.Values(inverse), ExerciseCheck.Values(result));
                        for (var i = 0; i < n; i++)
                            for (var j = 0; j < n; j++)
                            {
                                var expected = h[i * n + j] - h[i * n + q] * h[q * n + j] / h[q * n + q];
                                if (!Close(got[i * n + j], expected))
                                    return (false, $"case '{name}', removing {q}: entry ({i}, {j}) is {ExerciseCheck.Text(got[i * n + j])}; expected {ExerciseCheck.Text(expected)}.");
                            }
                        // The identity behind it: what is left is the inverse of H without row and column q.
                        var keep = tensor(Enumerable.Range(0, (int)n).Where(i => i != q).Select(i => (long)i).ToArray());
                        var reduced = linalg.inv(linalg.inv(inverse).index_select(0, keep).index_select(1, keep));
                        var left = result.index_select(0, keep).index_select(1, keep);
                        if (!ExerciseCheck.Equal(left, reduced, 1e-8 * Math.Max(1, reduced.abs().max().item<double>())))
                            return (false, $"case '{name}', removing {q}: the result is not the inverse of the Hessian without weight {q}.");
                    }
                }
                return (true, $"{Cases().Count()} cases match, removing the first and the last weight; and each result is the inverse of the Hessian without that weight.");
            });

    /// <summary>
    /// The indices 0 … <paramref name="count"/> − 1 without <paramref name="q"/>, as an int64 tensor for
    /// <c>index_select</c>. (The lesson's index tensors are built here: a tensor made from an array inside a notebook
    /// cell makes the Jupyter kernel print warning CS1701.)
    /// </summary>
    public static Tensor AllBut(long q, long count) => Indices(Enumerable.Range(0, (int)count).Where(i => i != q).Select(i => (long)i));

    /// <summary>The given indices as an int64 tensor, in order, for <c>index_select</c> and <c>index_copy_</c>.</summary>
    public static Tensor Indices(IEnumerable<long> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return tensor(indices.ToArray(), dtype: int64);
    }

    // Inverse Hessians of positive definite matrices: hand-written, correlated, and badly scaled.
    private static IEnumerable<(string Name, Func<(Tensor W, Tensor Inverse)> Make)> Cases()
    {
        yield return ("hand-written: 3 weights, H⁻¹ = [[2, 1, 0], [1, 2, 1], [0, 1, 2]]", () =>
            (tensor(new double[] { 0.5, -1, 2 }), tensor(new double[] { 2, 1, 0, 1, 2, 1, 0, 1, 2 }).reshape(3, 3)));
        yield return ("the smallest weight is not the cheapest: H⁻¹ = [[0.1, 0, 0], [0, 2, 1], [0, 1, 2]]", () =>
            (tensor(new double[] { 0.5, 1, -2 }), tensor(new double[] { 0.1, 0, 0, 0, 2, 1, 0, 1, 2 }).reshape(3, 3)));
        yield return ("8 weights, inputs correlated", () => Random(8, 71, correlated: true));
        yield return ("12 weights, scales from 0.01 to 100", () =>
        {
            var (w, inverse) = Random(12, 72, correlated: false);
            var scale = logspace(-2, 2, 12, dtype: float64);
            return (w, inverse * scale.unsqueeze(0) * scale.unsqueeze(1));
        });
    }

    private static (Tensor W, Tensor Inverse) Random(int n, int seed, bool correlated)
    {
        using var g = new Generator((ulong)seed);
        var x = randn(4 * n, n, dtype: float64, generator: g);
        if (correlated) x += randn(4 * n, 1, dtype: float64, generator: g);
        var h = 2 * x.T.matmul(x) / (4 * n) + 0.01 * eye(n, dtype: float64);
        return (randn(n, dtype: float64, generator: g), linalg.inv(h));
    }

    private static bool Close(double got, double expected) => Math.Abs(got - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected));

}
