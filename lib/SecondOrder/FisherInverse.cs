using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>
/// Hassibi &amp; Stork's inverse Hessian for Optimal Brain Surgeon without ever inverting a matrix: the empirical Fisher
/// H ≈ λI + (1/N) Σₙ gₙgₙᵀ (gₙ the gradient of sample n's loss) is built one sample at a time, and its inverse with it,
/// by the Sherman–Morrison–Woodbury identity for a rank-one update:
/// (A + ggᵀ/N)⁻¹ = A⁻¹ − A⁻¹g gᵀA⁻¹ / (N + gᵀA⁻¹g), starting from A⁻¹ = I/λ. The damping λ keeps it invertible with
/// fewer samples than weights. The same identity adds k samples G [weights, k] at once,
/// (A + GGᵀ/N)⁻¹ = A⁻¹ − A⁻¹G (N·I + GᵀA⁻¹G)⁻¹ GᵀA⁻¹: one k×k solve and matrix products instead of k passes over the
/// whole matrix, which is what makes a few thousand weights take seconds rather than minutes.
/// </summary>
public static class FisherInverse
{
    /// <summary>The inverse of λI + (1/N) Σₙ gₙgₙᵀ, from the per-sample gradients [N, weights] (float64).</summary>
    /// <param name="sampleGradients">One sample's gradient per row.</param>
    /// <param name="damping">λ, in the Fisher's units (its diagonal's mean is a good scale).</param>
    /// <param name="samplesPerStep">Samples added per update: 1 is Hassibi &amp; Stork's recursion; more is the same inverse, faster.</param>
    /// <exception cref="ArgumentException">Not [N, weights], no samples, a non-positive damping or step, or non-finite gradients.</exception>
    public static Tensor Of(Tensor sampleGradients, double damping, int samplesPerStep = 1)
    {
        ArgumentNullException.ThrowIfNull(sampleGradients);
        if (sampleGradients.dim() != 2 || sampleGradients.shape[0] == 0)
            throw new ArgumentException($"Give one gradient per row, [samples, weights]; got [{string.Join(",", sampleGradients.shape)}].", nameof(sampleGradients));
        if (!(damping > 0) || !double.IsFinite(damping))
            throw new ArgumentOutOfRangeException(nameof(damping), damping, "The damping λ must be positive (1e-4 … 1e-1 of the Fisher's scale): without it the inverse does not exist.");
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerStep, 1);
        using var scope = NewDisposeScope();
        var g = sampleGradients.detach().to(float64);
        Checks.Finite(g, "per-sample gradients");
        var (n, size) = (g.shape[0], g.shape[1]);
        var inverse = eye(size, dtype: float64) / damping;
        for (long start = 0; start < n; start += samplesPerStep)
        {
            using var step = NewDisposeScope();
            if (samplesPerStep == 1)
            {
                var ag = inverse.matmul(g[start]);                 // A⁻¹g (A⁻¹ is symmetric, so gᵀA⁻¹ is its transpose)
                inverse.sub_(ag.outer(ag) / (n + g[start].dot(ag)));
                continue;
            }
            var block = g.narrow(0, start, Math.Min(samplesPerStep, n - start)).T;   // G [weights, k]
            var aG = inverse.matmul(block);                                         // A⁻¹G
            var inner = block.T.matmul(aG) + n * eye(block.shape[1], dtype: float64);
            inverse.sub_(aG.matmul(linalg.solve(inner, aG.T)));
        }
        return inverse.MoveToOuterDisposeScope();
    }
}
