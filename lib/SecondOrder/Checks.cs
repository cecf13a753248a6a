using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

// Shared input checks: a NaN or an infinity would silently poison every saliency and update after it; a loss that
// is not a scalar, or parameters that autograd cannot differentiate by, would fail deep inside libtorch.
internal static class Checks
{
    public static void Parameters(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0) throw new ArgumentException("No parameters to differentiate by.", nameof(parameters));
        if (parameters.Any(p => !p.requires_grad)) throw new ArgumentException("Every parameter must require gradients (requires_grad_(true)).", nameof(parameters));
    }

    public static Tensor Scalar(Tensor loss) => loss.numel() == 1
        ? loss
        : throw new ArgumentException($"The loss must be a scalar; got shape [{string.Join(",", loss.shape)}].", nameof(loss));

    public static void Finite(Tensor values, string what)
    {
        if (!values.isfinite().all().item<bool>())
            throw new ArgumentException($"The {what} contain NaN or infinite values; check the training run or the Hessian estimate (damping?).");
    }
}
