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
        var result = new List<(Tensor, Tensor)>();
        OfOutputs(model, new Dictionary<string, string> { [module] = module }, batches, (_, captured) =>
        {
            var (activation, gradient) = captured[module];
            result.Add((activation.clone().DetachFromDisposeScope(), gradient.clone().DetachFromDisposeScope()));
        });
        return result;
    }

    /// <summary>
    /// The streaming form of <see cref="OfOutput"/> for several modules at once (Molchanov's criterion captures every
    /// channel group in one pass): after each batch's backward pass, <paramref name="onBatch"/> gets, by the keys of
    /// <paramref name="modules"/>, each module's output and each example's own gradient of it. The tensors live only
    /// during the call: clone what must be kept.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="modules">A key per capture → the name of the module whose output is captured.</param>
    /// <param name="batches">The calibration batches.</param>
    /// <param name="onBatch">Called once per batch, outside autograd.</param>
    /// <returns>How many batches and images were seen.</returns>
    /// <exception cref="ArgumentException">No such module, one that does not map tensors to tensors, or no batches.</exception>
    public static (int Batches, long Samples) OfOutputs(nn.Module<Tensor, Tensor> model, IReadOnlyDictionary<string, string> modules, IEnumerable<Batch> batches,
        Action<Batch, IReadOnlyDictionary<string, (Tensor Activation, Tensor Gradient)>> onBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentNullException.ThrowIfNull(onBatch);
        var named = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var captured = new Dictionary<string, Tensor>();
        var removers = new List<Action>();
        try
        {
            foreach (var (key, name) in modules)
            {
                if (!named.TryGetValue(name, out var found) || found is not nn.Module<Tensor, Tensor> target)
                    throw new ArgumentException($"{model.GetName()} has no tensor-to-tensor module '{name}'.", nameof(modules));
                // Keep the output past the forward's dispose scope and ask autograd for its gradient; the forward goes
                // on with a view of it, since nn.Sequential disposes the tensors it passes along.
                var handle = target.register_forward_hook((_, _, output) =>
                {
                    output.retain_grad();
                    captured[key] = output.DetachFromDisposeScope();
                    return output.view(output.shape);
                });
                removers.Add(handle.remove);
            }
            return CalibrationPass.Run(model, batches, batch =>
            {
                var pairs = new Dictionary<string, (Tensor, Tensor)>();
                foreach (var key in modules.Keys)
                {
                    var output = captured.GetValueOrDefault(key) ?? throw new InvalidOperationException($"'{modules[key]}' was not called by the forward pass.");
                    var gradient = output.grad ?? throw new InvalidOperationException($"No gradient reached the output of '{modules[key]}'.");
                    // The loss is the batch mean: ∂L/∂aₙ = ∂ℓₙ/∂aₙ / N, so N times it is example n's own gradient.
                    pairs[key] = (output.detach(), gradient * batch.Y.shape[0]);
                }
                onBatch(batch, pairs);
                foreach (var output in captured.Values) output.Dispose();
                captured.Clear();
            });
        }
        finally
        {
            foreach (var remove in removers) remove();
            foreach (var output in captured.Values) output.Dispose();
        }
    }
}
