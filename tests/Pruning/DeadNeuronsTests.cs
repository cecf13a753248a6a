using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

public class DeadNeuronsTests
{
    [Fact]
    public void A_dead_neurons_constant_output_moves_into_the_next_bias()
    {
        using var scope = NewDisposeScope();
        // Neuron 1 has no incoming weights and bias 0.7: it always outputs 0.7, which reaches the outputs through the
        // column [2, 0.5]: the next bias [0.2, −0.4] becomes [0.2 + 1.4, −0.4 + 0.35].
        var layer = new NeuronLayer(tensor(new float[,] { { 1, -2 }, { 0, 0 }, { 0.5f, 0 } }), tensor(new[] { 0.1f, 0.7f, -0.3f }),
            tensor(new float[,] { { 1, 2, 3 }, { -1, 0.5f, 2 } }), tensor(new[] { 0.2f, -0.4f }));
        Assert.Equal([1L], DeadNeurons.Find(layer.WeightIn));
        var removed = DeadNeurons.Remove(layer);
        Assert.Equal([0.1f, 0, -0.3f], Tiny.Flat(removed.BiasIn));
        Assert.Equal([1f, 0, 3, -1, 0, 2], Tiny.Flat(removed.WeightOut));
        var biasOut = Tiny.Flat(removed.BiasOut);
        Assert.Equal(1.6f, biasOut[0], 6);
        Assert.Equal(-0.05f, biasOut[1], 6);
        Assert.Equal([1f, -2, 0, 0, 0.5f, 0], Tiny.Flat(removed.WeightIn));
        Assert.Equal([0.1f, 0.7f, -0.3f], Tiny.Flat(layer.BiasIn));   // the inputs are left alone
    }

    [Fact]
    public void A_dead_neuron_with_a_negative_bias_outputs_zero_and_just_goes()
    {
        using var scope = NewDisposeScope();
        var layer = new NeuronLayer(tensor(new float[,] { { 0, 0 }, { 1, 1 } }), tensor(new[] { -0.5f, 0.2f }),
            tensor(new float[,] { { 3, 4 } }), tensor(new[] { 1f }));
        var removed = DeadNeurons.Remove(layer);
        Assert.Equal([0f, 0.2f], Tiny.Flat(removed.BiasIn));
        Assert.Equal([0f, 4], Tiny.Flat(removed.WeightOut));
        Assert.Equal([1f], Tiny.Flat(removed.BiasOut));
    }

    [Fact]
    public void Removing_the_dead_neurons_of_a_row_pruned_model_keeps_its_outputs()
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 3);
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.LayerWise(new Dictionary<string, double> { ["fc1"] = 0.5 }), granularity: Granularity.Rows);
        model.eval();
        var x = randn(8, 1, 28, 28, generator: new Generator(1));
        var before = model.call(x).detach().clone();
        var dead = DeadNeurons.RemoveBetween(model, "fc1", "fc2");
        Assert.Equal(150, dead.Length);
        var after = model.call(x).detach();
        Assert.True((before - after).abs().max().item<float>() < 1e-5f);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(0, parameters["fc1.bias"].index_select(0, tensor(dead)).count_nonzero().item<long>());
        Assert.Equal(0, parameters["fc2.weight"].index_select(1, tensor(dead)).count_nonzero().item<long>());
        var error = Assert.Throws<ArgumentException>(() => DeadNeurons.RemoveBetween(model, "fc1", "fc2", l => l with { BiasOut = zeros(3) }));
        Assert.Contains("biasOut of shape [3]", error.Message);
    }
}
