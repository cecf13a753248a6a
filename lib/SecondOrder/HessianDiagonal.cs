using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>
/// The diagonal of a loss's Hessian, which Optimal Brain Damage needs, three ways (lesson 06): exactly, from one
/// Hessian-vector product per parameter (only for tiny models); Hutchinson's unbiased estimate E[v ⊙ Hv] over random
/// ±1 vectors v (one product per sample, whatever the model's size); and the empirical Fisher, the mean of the squared
/// per-sample gradients, which approximates the Hessian near a minimum of a likelihood loss and needs no second
/// derivative. Each returns one tensor per parameter, of its shape, in float64.
/// </summary>
public static class HessianDiagonal
{
    /// <summary>h_kk for every parameter, exactly: (H e_k)_k for every unit vector e_k.</summary>
    /// <exception cref="ArgumentException">Too many parameters (see <see cref="Hessian.MaxParameters"/>).</exception>
    public static List<Tensor> Exact(Func<Tensor> loss, IReadOnlyList<Tensor> parameters)
    {
        using var scope = NewDisposeScope();
        var diagonal = Hessian.OfParameters(loss, parameters).diagonal();
        return Split(diagonal, parameters).Select(t => t.MoveToOuterDisposeScope()).ToList();
    }

    /// <summary>
    /// Hutchinson's estimate: the mean over <paramref name="samples"/> Rademacher vectors v (entries ±1) of v ⊙ Hv.
    /// Unbiased, since E[vᵢvⱼ] is 1 for i = j and 0 otherwise; its error falls as 1/√samples.
    /// </summary>
    public static List<Tensor> Hutchinson(Func<Tensor> loss, IReadOnlyList<Tensor> parameters, int samples, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Checks.Parameters(parameters);
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "Hutchinson's estimate needs at least one sample (hundreds for a few per cent).");
        using var scope = NewDisposeScope();
        using var enabled = enable_grad();
        using var generator = new Generator((ulong)seed);
        var value = Checks.Scalar(loss());
        var gradient = autograd.grad([value], [.. parameters], retain_graph: true, create_graph: true);
        var sums = parameters.Select(p => zeros(p.shape, dtype: float64)).ToList();
        for (var s = 0; s < samples; s++)
        {
            using var sample = NewDisposeScope();
            var v = parameters.Select(p => rand(p.shape, dtype: float64, generator: generator).lt(0.5).to(float64) * 2 - 1).ToList();
            var product = gradient.Zip(v).Select(gv => (gv.First.to(float64) * gv.Second).sum()).Aggregate((a, b) => a + b);
            var hv = autograd.grad([product], [.. parameters], retain_graph: true, allow_unused: true);
            for (var i = 0; i < sums.Count; i++)
                if (hv[i] is { IsInvalid: false } h) sums[i].add_(v[i] * h.to(float64));
        }
        return sums.Select(t => (t / samples).MoveToOuterDisposeScope()).ToList();
    }

    /// <summary>
    /// The empirical Fisher diagonal: the mean over <paramref name="count"/> samples of (∂ℓₙ/∂θ)², one backward pass per
    /// sample, where <paramref name="sampleLoss"/>(n) is the loss of sample n alone.
    /// </summary>
    public static List<Tensor> EmpiricalFisher(Func<int, Tensor> sampleLoss, int count, IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(sampleLoss);
        Checks.Parameters(parameters);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The empirical Fisher needs at least one sample.");
        using var scope = NewDisposeScope();
        using var enabled = enable_grad();
        var sums = parameters.Select(p => zeros(p.shape, dtype: float64)).ToList();
        for (var n = 0; n < count; n++)
        {
            using var sample = NewDisposeScope();
            var gradient = autograd.grad([Checks.Scalar(sampleLoss(n))], [.. parameters], allow_unused: true);
            for (var i = 0; i < sums.Count; i++)
                if (gradient[i] is { IsInvalid: false } g) sums[i].add_(g.to(float64).pow(2));
        }
        return sums.Select(t => (t / count).MoveToOuterDisposeScope()).ToList();
    }

    private static List<Tensor> Split(Tensor flat, IReadOnlyList<Tensor> parameters)
    {
        var result = new List<Tensor>();
        long offset = 0;
        foreach (var p in parameters)
        {
            result.Add(flat.narrow(0, offset, p.numel()).reshape(p.shape));
            offset += p.numel();
        }
        return result;
    }
}
