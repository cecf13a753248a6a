using PruningLab.Exercises;
using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>
/// LeCun, Denker &amp; Solla (1990), "Optimal Brain Damage": at a minimum the gradient vanishes, and if the Hessian is
/// taken as diagonal, deleting weight k raises the loss by about ½·h_kk·w_k². Exact when the loss is quadratic and its
/// Hessian diagonal; lessons 06–07 measure how far it is from exact otherwise.
/// </summary>
public static class OptimalBrainDamage
{
    /// <summary>The saliencies s_k = ½·h_kk·w_k², in float64, of the shape of <paramref name="weights"/>.</summary>
    /// <param name="weights">The weights (any shape).</param>
    /// <param name="hessianDiagonal">h_kk for every weight, of the same shape.</param>
    /// <exception cref="ArgumentException">Shapes differ, or a value is not finite.</exception>
    public static Tensor Saliency(Tensor weights, Tensor hessianDiagonal)
    {
        ReferenceUse.Note(ReferenceUse.Damage);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(hessianDiagonal);
        if (!weights.shape.SequenceEqual(hessianDiagonal.shape))
            throw new ArgumentException($"The Hessian diagonal has shape [{string.Join(",", hessianDiagonal.shape)}]; the weights [{string.Join(",", weights.shape)}]. " +
                                        "Give one h_kk per weight.", nameof(hessianDiagonal));
        using var scope = NewDisposeScope();
        var w = weights.detach().to(float64);
        var h = hessianDiagonal.detach().to(float64);
        Checks.Finite(w, "weights");
        Checks.Finite(h, "Hessian diagonal");
        return (0.5 * h * w * w).MoveToOuterDisposeScope();
    }
}
