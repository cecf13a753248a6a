using PruningLab.Exercises;
using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>
/// Hassibi &amp; Stork (1993), "Optimal Brain Surgeon", on a weight vector w and the inverse H⁻¹ of the loss's Hessian.
/// Deleting weight q while letting the others move to make up for it, in the quadratic model of the loss: the cheapest
/// move costs L_q = w_q² / (2·[H⁻¹]_qq) and is δw = −(w_q / [H⁻¹]_qq)·H⁻¹e_q, which sets w_q to zero exactly. To delete
/// several weights one at a time, the inverse of the Hessian restricted to the survivors is H⁻¹ with q removed by
/// <see cref="Downdate"/>, no new inversion. A weight already removed (zero, with a zero row and column in the
/// downdated inverse) has an infinite saliency, so it is never chosen again. Every function works in float64.
/// </summary>
public static class OptimalBrainSurgeon
{
    /// <summary>L_q = w_q² / (2·[H⁻¹]_qq) for every q: the loss increase of deleting weight q and updating the others.</summary>
    /// <exception cref="ArgumentException">Shapes do not fit, or a diagonal entry of H⁻¹ is not positive (H is not positive definite there).</exception>
    public static Tensor Saliency(Tensor weights, Tensor inverseHessian)
    {
        ReferenceUse.Note(ReferenceUse.Surgeon);
        using var scope = NewDisposeScope();
        var (w, inverse) = Validated(weights, inverseHessian);
        var diagonal = inverse.diagonal();
        var removed = Removed(w, diagonal);
        return where(removed, full_like(w, double.PositiveInfinity), w * w / (2 * where(removed, ones_like(diagonal), diagonal)))
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The weights after deleting weight <paramref name="q"/> and moving the others by δw = −(w_q / [H⁻¹]_qq)·H⁻¹e_q.
    /// Entry q is set to exactly zero (the update makes it zero up to rounding).
    /// </summary>
    public static Tensor Update(Tensor weights, Tensor inverseHessian, long q)
    {
        ReferenceUse.Note(ReferenceUse.Surgeon);
        using var scope = NewDisposeScope();
        var (w, inverse) = Validated(weights, inverseHessian);
        CheckIndex(q, w.shape[0]);
        if (Removed(w, inverse.diagonal())[q].item<bool>())
            throw new ArgumentException($"Weight {q} was already removed.", nameof(q));
        var column = inverse[TensorIndex.Colon, q];
        var updated = w - w[q] / inverse[q, q] * column;
        updated[q] = 0;
        return updated.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// H⁻¹ − H⁻¹e_q e_qᵀH⁻¹ / [H⁻¹]_qq: the inverse Hessian once weight q is fixed at zero. Its row and column q become
    /// zero, and the rest equals the inverse of H with row and column q removed.
    /// </summary>
    public static Tensor Downdate(Tensor inverseHessian, long q)
    {
        ReferenceUse.Note(ReferenceUse.Surgeon);
        ArgumentNullException.ThrowIfNull(inverseHessian);
        using var scope = NewDisposeScope();
        var inverse = Square(inverseHessian);
        CheckIndex(q, inverse.shape[0]);
        if (!(inverse[q, q].item<double>() > 0))
            throw new ArgumentException($"[H⁻¹]_{q}{q} = {inverse[q, q].item<double>():G4} is not positive: weight {q} was already removed, or H is not positive definite (add damping).", nameof(inverseHessian));
        var column = inverse[TensorIndex.Colon, q].unsqueeze(1);
        var result = inverse - column.matmul(column.T) / inverse[q, q];
        result[q] = 0;
        result[TensorIndex.Colon, q] = 0;
        return result.MoveToOuterDisposeScope();
    }

    private static (Tensor Weights, Tensor Inverse) Validated(Tensor weights, Tensor inverseHessian)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(inverseHessian);
        if (weights.dim() != 1) throw new ArgumentException($"OBS works on a vector of weights; got shape [{string.Join(",", weights.shape)}]. Flatten it (and its Hessian) first.", nameof(weights));
        var inverse = Square(inverseHessian);
        if (inverse.shape[0] != weights.shape[0])
            throw new ArgumentException($"The inverse Hessian is {inverse.shape[0]}×{inverse.shape[0]} for {weights.shape[0]} weights.", nameof(inverseHessian));
        var w = weights.detach().to(float64);
        Checks.Finite(w, "weights");
        var diagonal = inverse.diagonal();
        if (!diagonal.gt(0).logical_or(Removed(w, diagonal)).all().item<bool>())
            throw new ArgumentException("A diagonal entry of the inverse Hessian is not positive: H is not positive definite (too few samples, dead inputs?). " +
                                        "Add damping, H + λI, before inverting.", nameof(inverseHessian));
        return (w, inverse);
    }

    // Removed by an earlier step: the weight is zero and the downdated inverse has a zero diagonal entry there.
    private static Tensor Removed(Tensor w, Tensor diagonal) => diagonal.eq(0).logical_and(w.eq(0));

    private static Tensor Square(Tensor matrix)
    {
        if (matrix.dim() != 2 || matrix.shape[0] != matrix.shape[1])
            throw new ArgumentException($"The inverse Hessian must be a square matrix; got shape [{string.Join(",", matrix.shape)}].", nameof(matrix));
        var m = matrix.detach().to(float64);
        Checks.Finite(m, "inverse Hessian");
        return m;
    }

    private static void CheckIndex(long q, long n)
    {
        if (q < 0 || q >= n) throw new ArgumentOutOfRangeException(nameof(q), q, $"Weight {q} does not exist: there are {n}.");
    }
}
