using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>
/// The exact Hessian of a loss, for models small enough that an n×n matrix fits (lessons 06–07 check every
/// approximation against it). Row i is the gradient of the i-th entry of the gradient: one Hessian-vector product with
/// the unit vector eᵢ, by differentiating twice (double backward).
/// </summary>
public static class Hessian
{
    /// <summary>The largest number of parameters <see cref="Exact"/> accepts: n backward passes and an n×n matrix.</summary>
    public const int MaxParameters = 5000;

    /// <summary>
    /// ∂²L/∂w∂w at <paramref name="at"/>, for a loss given as a function of one flat parameter vector. Computed in
    /// float64; the result is symmetric up to rounding, and is returned symmetrised.
    /// </summary>
    /// <param name="loss">L(w): a scalar tensor, differentiable twice in w.</param>
    /// <param name="at">The point, a vector of n ≤ <see cref="MaxParameters"/> entries.</param>
    /// <exception cref="ArgumentException">Not a vector, too many entries, or a loss that is not a scalar.</exception>
    public static Tensor Exact(Func<Tensor, Tensor> loss, Tensor at)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(at);
        if (at.dim() != 1) throw new ArgumentException($"The point must be a vector of parameters; got shape [{string.Join(",", at.shape)}]. Flatten it first.", nameof(at));
        using var scope = NewDisposeScope();
        var w = at.detach().to(float64).clone().requires_grad_(true);
        return OfParameters(() => loss(w), [w]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ∂²L/∂θ∂θ for the parameters <paramref name="parameters"/> (e.g. a small model's, in order, each flattened and
    /// concatenated): entry (i, j) belongs to the i-th and j-th of those numbers. <paramref name="loss"/> is evaluated
    /// once, at the parameters' current values.
    /// </summary>
    /// <exception cref="ArgumentException">No parameters, too many, one that does not require gradients, or a loss that is not a scalar.</exception>
    public static Tensor OfParameters(Func<Tensor> loss, IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Checks.Parameters(parameters);
        var n = parameters.Sum(p => p.numel());
        if (n > MaxParameters)
            throw new ArgumentException($"The exact Hessian of {n:N0} parameters needs {n:N0} backward passes and {n * n * 8 / 1e6:N0} MB; use at most {MaxParameters:N0} " +
                                        "(a tiny model), or an estimate of its diagonal.", nameof(parameters));
        using var scope = NewDisposeScope();
        using var enabled = enable_grad();
        var value = Checks.Scalar(loss());
        // TorchSharp's retain_graph does not follow create_graph as PyTorch's does: without it the second
        // differentiation would find the graph freed (and libtorch aborts the process from its worker thread).
        var gradient = cat(autograd.grad([value], [.. parameters], retain_graph: true, create_graph: true).Select(g => g.flatten()).ToList());
        var rows = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            // A gradient entry that does not depend on the parameters (a linear loss) has no graph: its row is zero.
            rows[i] = gradient[i].requires_grad
                ? cat(autograd.grad([gradient[i]], [.. parameters], retain_graph: true, allow_unused: true)
                    .Select((g, k) => g is null || g.IsInvalid ? zeros(parameters[k].numel(), dtype: float64) : g.flatten().to(float64)).ToList())
                : zeros(n, dtype: float64);
        }
        var hessian = stack(rows).to(float64);
        return ((hessian + hessian.T) / 2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// v ↦ Hv for the Hessian of <paramref name="loss"/> by one parameter tensor, without ever forming H: the gradient
    /// is computed once with its graph kept, and each product differentiates g·v once more (Pearlmutter's trick, as
    /// Hutchinson's estimate needs it). v has the parameter's shape (any float dtype); Hv comes back in float64. The
    /// loss is evaluated once, at the parameter's current value; the returned function keeps that graph alive.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter that does not require gradients, or a loss that is not a scalar.</exception>
    public static Func<Tensor, Tensor> VectorProduct(Func<Tensor> loss, Tensor parameter)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(parameter);
        Checks.Parameters([parameter]);
        Tensor gradient;
        using (var scope = NewDisposeScope())
        using (enable_grad())
            gradient = autograd.grad([Checks.Scalar(loss())], [parameter], retain_graph: true, create_graph: true)[0].MoveToOuterDisposeScope();
        gradient.DetachFromDisposeScope();
        return v =>
        {
            ArgumentNullException.ThrowIfNull(v);
            if (!v.shape.SequenceEqual(parameter.shape))
                throw new ArgumentException($"v has shape [{string.Join(",", v.shape)}]; the parameter [{string.Join(",", parameter.shape)}].", nameof(v));
            using var scope = NewDisposeScope();
            using var enabled = enable_grad();
            var product = (gradient * v.to(gradient.dtype)).sum();
            var hv = product.requires_grad ? autograd.grad([product], [parameter], retain_graph: true, allow_unused: true)[0] : null;
            return (hv is null || hv.IsInvalid ? zeros(parameter.shape, dtype: float64) : hv.to(float64)).MoveToOuterDisposeScope();
        };
    }
}
