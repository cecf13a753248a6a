using PruningLab.Data;
using static TorchSharp.torch;

namespace PruningLab.FirstOrder;

/// <summary>
/// The raw material of first-order criteria, batch by batch, for lessons and exercises that compute the criteria
/// themselves (lesson 05): the gradient of a parameter on each calibration batch, and the output of a module with the
/// gradient of each example's own loss with respect to it. Both run the calibration pass of <see cref="ICalibrated"/>
/// (evaluation mode, cross-entropy, the model's mode restored, no gradients left behind).
/// </summary>
public static class GradientCapture
{
    /// <summary>∂L/∂θ of the parameter named <paramref name="parameter"/> (e.g. <c>fc2.weight</c>) for each batch, L the batch's mean loss.</summary>
    /// <exception cref="ArgumentException">No such parameter, or no batches.</exception>
    public static List<Tensor> OfParameter(nn.Module<Tensor, Tensor> model, string parameter, IEnumerable<Batch> batches)
    {
        ArgumentNullException.ThrowIfNull(model);
        var weight = model.named_parameters().FirstOrDefault(p => p.name == parameter).parameter
                     ?? throw new ArgumentException($"{model.GetName()} has no parameter '{parameter}'; it has {string.Join(", ", model.named_parameters().Select(p => p.name))}.", nameof(parameter));
        var gradients = new List<Tensor>();
        CalibrationPass.Run(model, batches, _ => gradients.Add(weight.grad!.detach().clone().DetachFromDisposeScope()));
        return gradients;
    }

    /// <summary>
    /// For each batch: the output a of the module named <paramref name="module"/> [N, channels, …] and ∂ℓₙ/∂aₙ, the
    /// gradient of each example's own loss (N times the gradient of the batch's mean loss), of the same shape.
    /// </summary>
    /// <exception cref="ArgumentException">No such module, one that does not map tensors to tensors, or no batches.</exception>
    public static List<(Tensor Activation, Tensor Gradient)> OfOutput(nn.Module<Tensor, Tensor> model, string module, IEnumerable<Batch> batches)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.named_modules().FirstOrDefault(m => m.name == module).module is not nn.Module<Tensor, Tensor> target)
            throw new ArgumentException($"{model.GetName()} has no tensor-to-tensor module '{module}'.", nameof(module));
        Tensor? captured = null;
        // Keep the output past the forward's dispose scope and ask autograd for its gradient; the forward goes on with
        // a view of it, since nn.Sequential disposes the tensors it passes along.
        var handle = target.register_forward_hook((_, _, output) =>
        {
            output.retain_grad();
            captured = output.DetachFromDisposeScope();
            return output.view(output.shape);
        });
        var result = new List<(Tensor, Tensor)>();
        try
        {
            CalibrationPass.Run(model, batches, batch =>
            {
                var output = captured ?? throw new InvalidOperationException($"'{module}' was not called by the forward pass.");
                var gradient = output.grad ?? throw new InvalidOperationException($"No gradient reached the output of '{module}'.");
                result.Add((output.detach().clone().DetachFromDisposeScope(), (gradient * batch.Y.shape[0]).DetachFromDisposeScope()));
                output.Dispose();
                captured = null;
            });
        }
        finally
        {
            handle.remove();
            captured?.Dispose();
        }
        return result;
    }
}
