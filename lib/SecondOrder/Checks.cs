using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

// Shared input checks: a NaN or an infinity would silently poison every saliency and update after it.
internal static class Checks
{
    public static void Finite(Tensor values, string what)
    {
        if (!values.isfinite().all().item<bool>())
            throw new ArgumentException($"The {what} contain NaN or infinite values; check the training run or the Hessian estimate (damping?).");
    }
}
