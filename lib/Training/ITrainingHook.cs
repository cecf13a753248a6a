using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>
/// Something the trainer calls around every optimiser step. Pruning uses it to hold masks: after each step
/// the pruned weights are zeroed again, so momentum or Adam's running averages cannot bring them back.
/// </summary>
public interface ITrainingHook
{
    /// <summary>Called after <c>optimizer.step()</c>, outside autograd, with the step number (from 0).</summary>
    void AfterOptimizerStep(nn.Module model, long step);
}
