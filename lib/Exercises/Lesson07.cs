using System.Globalization;
using static TorchSharp.torch;

namespace PruningLab.Exercises;

/// <summary>
/// Checks for the exercises of lesson 07 (Optimal Brain Surgeon): the saliency and the compensating update of one
/// weight, and the inverse-Hessian downdate. Expected values come from plain loops over arrays, and the downdate is
/// also compared with the inverse of the Hessian with the weight's row and column struck out — the identity it rests on.
/// </summary>
public static class Lesson07
{
    /// <summary>Exercise 7.1: L_q = w_q²/(2[H⁻¹]_qq) for every q, and w − (w_q/[H⁻¹]_qq)·H⁻¹e_q with w_q exactly 0.</summary>
    public static CheckResult CheckSaliencyAndUpdate(Func<Tensor, Tensor, Tensor> saliency, Func<Tensor, Tensor, long, Tensor> update) =>
        ExerciseCheck.Run("7.1", "the OBS saliency and update of one weight",
            "The saliency needs only the diagonal of H⁻¹: w_q² / (2·[H⁻¹]_qq). The update moves every weight along column q of H⁻¹, scaled by w_q / [H⁻¹]_qq, subtracted — which makes w_q itself zero.",
            () =>
            {
                foreach (var (name, make) in Cases())
                {
                    using var scope = NewDisposeScope();
                    var (w, inverse) = make();
                    var n = w.shape[0];
                    var inputs = new[] { ("w", w), ("hInverse", inverse) };
                    var s = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, inputs, () => saliency(w, inverse)), ReferenceUse.Surgeon);
                    s = ExerciseCheck.Shaped(name, "the saliencies", s, [n], float64);
                    var (ws, h) = (Values(w), Values(inverse));
                    var got = Values(s);
                    for (var q = 0; q < n; q++)
                    {
                        var expected = ws[q] * ws[q] / (2 * h[q * n + q]);
                        if (!Close(got[q], expected))
                            return (false, $"case '{name}': the saliency of weight {q} is {Text(got[q])}; expected w_q²/(2[H⁻¹]_qq) = {Text(expected)}.");
                    }
                    foreach (var q in new long[] { 0, n / 2, n - 1 })
                    {
                        var moved = ExerciseCheck.Learner(name, () => ExerciseCheck.Unchanged(name, inputs, () => update(w, inverse, q)), ReferenceUse.Surgeon);
                        moved = ExerciseCheck.Shaped(name, $"the weights after removing {q}", moved, [n], float64);
                        var after = Values(moved);
                        if (after[q] != 0) return (false, $"case '{name}', removing weight {q}: it is {Text(after[q])} afterwards; set it to exactly 0.");
                        for (var i = 0; i < n; i++)
                        {
                            if (i == q) continue;
                            var expected = ws[i] - ws[q] / h[q * n + q] * h[i * n + q];
                            if (!Close(after[i], expected))
                                return (false, $"case '{name}', removing weight {q}: weight {i} becomes {Text(after[i])}; expected w_i − (w_q/[H⁻¹]_qq)·[H⁻¹]_iq = {Text(expected)}.");
                        }
                    }
                }
                return (true, $"{Cases().Count()} cases match: the saliency of every weight, and the update for the first, a middle and the last weight.");
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
                        var (h, got) = (Values(inverse), Values(result));
                        for (var i = 0; i < n; i++)
                            for (var j = 0; j < n; j++)
                            {
                                var expected = h[i * n + j] - h[i * n + q] * h[q * n + j] / h[q * n + q];
                                if (!Close(got[i * n + j], expected))
                                    return (false, $"case '{name}', removing {q}: entry ({i}, {j}) is {Text(got[i * n + j])}; expected {Text(expected)}.");
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

    // Inverse Hessians of positive definite matrices: hand-written, correlated, and badly scaled.
    private static IEnumerable<(string Name, Func<(Tensor W, Tensor Inverse)> Make)> Cases()
    {
        yield return ("hand-written: 3 weights, H⁻¹ = [[2, 1, 0], [1, 2, 1], [0, 1, 2]]", () =>
            (tensor(new double[] { 0.5, -1, 2 }), tensor(new double[] { 2, 1, 0, 1, 2, 1, 0, 1, 2 }).reshape(3, 3)));
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

    private static double[] Values(Tensor t) => t.detach().to(float64).contiguous().data<double>().ToArray();

    private static bool Close(double got, double expected) => Math.Abs(got - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected));

    private static string Text(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
