using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>
/// Hassibi &amp; Stork's inverse Hessian for Optimal Brain Surgeon without ever inverting a matrix: the empirical Fisher
/// H ≈ λI + (1/N) Σₙ gₙgₙᵀ (gₙ the gradient of sample n's loss) is built one sample at a time, and its inverse with it,
/// by the Sherman–Morrison–Woodbury identity for a rank-one update:
/// (A + ggᵀ/N)⁻¹ = A⁻¹ − A⁻¹g gᵀA⁻¹ / (N + gᵀA⁻¹g), starting from A⁻¹ = I/λ. The damping λ keeps it invertible with
/// fewer samples than weights.
/// </summary>
public static class FisherInverse
{
    /// <summary>The inverse of λI + (1/N) Σₙ gₙgₙᵀ, from the per-sample gradients [N, weights] (float64).</summary>
    /// <exception cref="ArgumentException">Not [N, weights], no samples, a non-positive damping, or non-finite gradients.</exception>
    public static Tensor Of(Tensor sampleGradients, double damping)
    {
        ArgumentNullException.ThrowIfNull(sampleGradients);
        if (sampleGradients.dim() != 2 || sampleGradients.shape[0] == 0)
            throw new ArgumentException($"Give one gradient per row, [samples, weights]; got [{string.Join(",", sampleGradients.shape)}].", nameof(sampleGradients));
        if (!(damping > 0) || !double.IsFinite(damping))
            throw new ArgumentOutOfRangeException(nameof(damping), damping, "The damping λ must be positive (1e-4 … 1e-1 of the Fisher's scale): without it the inverse does not exist.");
        using var scope = NewDisposeScope();
        var g = sampleGradients.detach().to(float64);
        Checks.Finite(g, "per-sample gradients");
        var (n, size) = (g.shape[0], g.shape[1]);
        var inverse = eye(size, dtype: float64) / damping;
        for (long i = 0; i < n; i++)
        {
            using var step = NewDisposeScope();
            var ag = inverse.matmul(g[i]);                     // A⁻¹g (A⁻¹ is symmetric, so gᵀA⁻¹ is its transpose)
            inverse.sub_(ag.outer(ag) / (n + g[i].dot(ag)));
        }
        return inverse.MoveToOuterDisposeScope();
    }
}
