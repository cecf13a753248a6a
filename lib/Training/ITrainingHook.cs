using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>
/// Something the trainer calls around every optimiser step. Pruning uses it to hold masks: after each step
/// the pruned weights are zeroed again, so momentum or Adam's running averages cannot bring them back. First-order
/// criteria use the point after the backward pass, where every parameter's gradient of this batch is available.
/// </summary>
/// <remarks>
/// Order within a step: backward, every hook's <see cref="AfterBackward"/>, <c>optimizer.step()</c>, every hook's
/// <see cref="AfterOptimizerStep"/> (mask re-application, so it runs last).
/// </remarks>
public interface ITrainingHook
{
    /// <summary>Called after <c>loss.backward()</c> and before <c>optimizer.step()</c>, outside autograd: the gradients are this batch's.</summary>
    void AfterBackward(nn.Module model, long step) { }

    /// <summary>Called after <c>optimizer.step()</c>, outside autograd, with the step number (from 0).</summary>
    void AfterOptimizerStep(nn.Module model, long step);
}
