using PruningLab.Exercises;
using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>
/// Hassibi &amp; Stork (1993), "Optimal Brain Surgeon", on a weight vector w and the inverse H⁻¹ of the loss's Hessian.
/// Deleting weight q while letting the others move to make up for it, in the quadratic model of the loss: the cheapest
/// move costs L_q = w_q² / (2·[H⁻¹]_qq) and is δw = −(w_q / [H⁻¹]_qq)·H⁻¹e_q, which sets w_q to zero exactly. To delete
/// several weights one at a time, the inverse of the Hessian restricted to the survivors is H⁻¹ with q removed by
/// <see cref="Downdate(Tensor, long)"/>, no new inversion. A weight already removed (zero, with a zero row and column in the
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

    /// <summary>
    /// The cost of deleting the weights of <paramref name="block"/> together while the others make up for it:
    /// L_Q = ½·w_Qᵀ([H⁻¹]_QQ)⁻¹w_Q, where [H⁻¹]_QQ is the block of H⁻¹ on those rows and columns. For one weight it is
    /// <see cref="Saliency(Tensor, Tensor)"/>'s w_q²/(2[H⁻¹]_qq).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not fit, an index out of range or repeated, or a weight already removed.</exception>
    public static double Saliency(Tensor weights, Tensor inverseHessian, IReadOnlyList<long> block)
    {
        ReferenceUse.Note(ReferenceUse.Surgeon);
        using var scope = NewDisposeScope();
        var (w, inverse, q) = ValidatedBlock(weights, inverseHessian, block);
        var wq = w.index_select(0, q);
        return (wq.dot(linalg.solve(inverse.index_select(0, q).index_select(1, q), wq)) / 2).item<double>();
    }

    /// <summary>
    /// The weights after deleting those of <paramref name="block"/> together: δw = −H⁻¹[:, Q]·([H⁻¹]_QQ)⁻¹·w_Q, the
    /// least change that zeroes all of them at once (exact for a quadratic loss). Entries Q are set to exactly zero.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not fit, an index out of range or repeated, or a weight already removed.</exception>
    public static Tensor Update(Tensor weights, Tensor inverseHessian, IReadOnlyList<long> block)
    {
        ReferenceUse.Note(ReferenceUse.Surgeon);
        using var scope = NewDisposeScope();
        var (w, inverse, q) = ValidatedBlock(weights, inverseHessian, block);
        var columns = inverse.index_select(1, q);
        var updated = w - columns.matmul(linalg.solve(columns.index_select(0, q), w.index_select(0, q)));
        updated.index_fill_(0, q, 0.0);
        return updated.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// H⁻¹ − H⁻¹[:, Q]·([H⁻¹]_QQ)⁻¹·H⁻¹[Q, :]: the inverse Hessian once the weights of <paramref name="block"/> are fixed
    /// at zero. Their rows and columns become zero; the rest equals the inverse of H without those rows and columns.
    /// </summary>
    /// <exception cref="ArgumentException">Not square, an index out of range or repeated, or a block already removed.</exception>
    public static Tensor Downdate(Tensor inverseHessian, IReadOnlyList<long> block)
    {
        ReferenceUse.Note(ReferenceUse.Surgeon);
        ArgumentNullException.ThrowIfNull(inverseHessian);
        using var scope = NewDisposeScope();
        var inverse = Square(inverseHessian);
        var q = BlockIndex(block, inverse);
        var columns = inverse.index_select(1, q);
        var result = inverse - columns.matmul(linalg.solve(columns.index_select(0, q), columns.T));
        result.index_fill_(0, q, 0.0);
        result.index_fill_(1, q, 0.0);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Greedy OBS: removes <paramref name="count"/> weights, <paramref name="blockSize"/> at a time. Each step takes the
    /// weights of lowest single saliency w_q²/(2[H⁻¹]_qq), removes them together by the exact block update, and
    /// downdates H⁻¹ (<see cref="Downdate(Tensor, IReadOnlyList{long})"/>), so the next saliencies already account for
    /// every weight moved. With a block of 1 this is Hassibi &amp; Stork's procedure; larger blocks take fewer passes over
    /// H⁻¹ and differ only in which weights a step may choose. Weights already removed (zero, with a zero diagonal) stay.
    /// </summary>
    /// <param name="weights">w, a vector.</param>
    /// <param name="inverseHessian">H⁻¹ for w (not changed; the solver works on a copy).</param>
    /// <param name="count">Weights to remove.</param>
    /// <param name="blockSize">Weights removed per step.</param>
    /// <exception cref="ArgumentException">Shapes that do not fit, a count above the weights left, or a block size below 1.</exception>
    public static GreedyObsResult RemoveGreedily(Tensor weights, Tensor inverseHessian, long count, int blockSize = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        using var scope = NewDisposeScope();
        var (w0, inverse0) = Validated(weights, inverseHessian);
        var removed0 = Removed(w0, inverse0.diagonal());
        var left = w0.shape[0] - removed0.sum().item<long>();
        if (count < 0 || count > left) throw new ArgumentOutOfRangeException(nameof(count), count, $"There are {left} weights left to remove.");
        // The solver works on the weights still in: their positions `active`, their values and their block of H⁻¹.
        // A removed weight's row and column of the downdated inverse are zero up to rounding, so they are dropped from
        // the matrix now and then (not at every step: a copy costs as much as a step) and skipped until then.
        var active = removed0.logical_not().nonzero().flatten();
        var w = w0.index_select(0, active);
        var inverse = inverse0.index_select(0, active).index_select(1, active);
        var gone = zeros(active.shape[0], dtype: @bool);
        var (order, predicted, sinceCompaction) = (new List<long>(), 0.0, 0L);
        while (order.Count < count)
        {
            using var step = NewDisposeScope();
            var diagonal = inverse.diagonal();
            var saliency = where(gone, full_like(w, double.PositiveInfinity), w * w / (2 * where(gone, ones_like(diagonal), diagonal)));
            var q = saliency.topk((int)Math.Min(blockSize, count - order.Count), largest: false).indexes;
            var columns = inverse.index_select(1, q);
            var block = columns.index_select(0, q);
            var wq = w.index_select(0, q);
            var coefficients = linalg.solve(block, wq);
            predicted += wq.dot(coefficients).item<double>() / 2;
            w.sub_(columns.matmul(coefficients)).index_fill_(0, q, 0.0);
            inverse.addmm_(columns, linalg.solve(block, columns.T), beta: 1, alpha: -1);
            gone.index_fill_(0, q, true);
            order.AddRange(active.index_select(0, q).data<long>().ToArray());
            sinceCompaction += q.shape[0];
            if (sinceCompaction * 10 >= active.shape[0] && order.Count < count)
            {
                var keep = gone.logical_not().nonzero().flatten();
                Tensor[] old = [active, w, inverse, gone];
                (active, w, inverse, gone) = (active.index_select(0, keep).MoveToOuterDisposeScope(), w.index_select(0, keep).MoveToOuterDisposeScope(),
                    inverse.index_select(0, keep).index_select(1, keep).MoveToOuterDisposeScope(), zeros(keep.shape[0], dtype: @bool).MoveToOuterDisposeScope());
                foreach (var t in old) t.Dispose();   // the matrix is large: free each old copy now, not at the end
                sinceCompaction = 0;
            }
        }
        if (!w.isfinite().all().item<bool>())
            throw new ArgumentException("OBS produced non-finite weights: the Hessian is too ill-conditioned. Increase the damping.", nameof(inverseHessian));
        var result = zeros_like(w0).index_copy_(0, active, w.masked_fill(gone, 0.0));
        var kept = zeros_like(removed0).index_fill_(0, active.masked_select(gone.logical_not()), true);
        return new GreedyObsResult(result.MoveToOuterDisposeScope(), kept.MoveToOuterDisposeScope(), [.. order], predicted);
    }

    private static (Tensor Weights, Tensor Inverse, Tensor Block) ValidatedBlock(Tensor weights, Tensor inverseHessian, IReadOnlyList<long> block)
    {
        var (w, inverse) = Validated(weights, inverseHessian);
        return (w, inverse, BlockIndex(block, inverse));
    }

    // Q as an index tensor, after checking it: in range, no repeats, and none removed already (its diagonal entry is positive).
    private static Tensor BlockIndex(IReadOnlyList<long> block, Tensor inverse)
    {
        ArgumentNullException.ThrowIfNull(block);
        var n = inverse.shape[0];
        if (block.Count == 0) throw new ArgumentException("The block names no weight.", nameof(block));
        if (block.Distinct().Count() != block.Count) throw new ArgumentException($"The block names a weight twice: [{string.Join(", ", block)}].", nameof(block));
        foreach (var q in block) CheckIndex(q, n);
        var index = tensor(block.ToArray());
        var removed = inverse.diagonal().index_select(0, index).le(0);
        if (removed.any().item<bool>())
            throw new ArgumentException($"Weight {block[(int)removed.to(int64).argmax().item<long>()]} was already removed (its [H⁻¹]_qq is not positive).", nameof(block));
        return index;
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

/// <summary>The outcome of <see cref="OptimalBrainSurgeon.RemoveGreedily"/>.</summary>
/// <param name="Weights">The weights after every removal and update (float64; removed ones exactly zero).</param>
/// <param name="Kept">True for each weight still in the network.</param>
/// <param name="Order">The weights removed, in the order they went.</param>
/// <param name="PredictedIncrease">The loss increase of the quadratic model: the sum of each step's block saliency.</param>
public sealed record GreedyObsResult(Tensor Weights, Tensor Kept, IReadOnlyList<long> Order, double PredictedIncrease);
