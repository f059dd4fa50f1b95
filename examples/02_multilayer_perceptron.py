# %%
# In a fresh hosted notebook (Colab, Kaggle), remove the "#" before %pip and
# run this cell first: it installs kerasteach (or the wheel your teacher gives).
# # %pip install kerasteach

# %% [markdown]
# # 2. A multilayer perceptron on MNIST, compared with the first network
#
# Two hidden layers of 512 units with ReLU, and dropout against overfitting.
# The hidden layers let the network combine pixels into strokes and shapes
# before it decides: the error falls from about 7.5% to under 2%.

# %%
import kerasteach.quiet  # first, before Keras: no TensorFlow start-up messages

import keras
from kerasteach.course import (
    load_images,
    options,
    output_folder,
    save_results,
    score,
    show,
)

import kerasteach

args = options("A multilayer perceptron on MNIST", epochs=20)
out = output_folder(args, "02_multilayer_perceptron")
data = load_images("mnist", args.quick, normalize=True, flatten=True)
(x_train, y_train), (x_test, y_test) = data


# %%
def train(model: keras.Model, epochs: int) -> keras.callbacks.History:
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=128,
        validation_split=0.1,
        verbose=0,
        callbacks=[kerasteach.TqdmProgress()],
    )


keras.utils.set_random_seed(0)
first = keras.Sequential(
    [keras.Input((784,)), keras.layers.Dense(10, activation="softmax")],
    name="logistic_regression",
)
mlp = keras.Sequential(
    [
        keras.Input((784,)),
        keras.layers.Dense(512, activation="relu", name="hidden1"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(512, activation="relu", name="hidden2"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax", name="digit"),
    ],
    name="mlp",
)
kerasteach.summary(mlp).print()

# %% [markdown]
# ## Both, trained the same way, and their curves side by side

# %%
histories = {
    "logistic regression": train(first, args.epochs),
    "MLP 512-512": train(mlp, args.epochs),
}
figure = kerasteach.plot_history(histories)
show(figure, out / "compared.png")

results = {}
for name, model in (("logistic regression", first), ("MLP", mlp)):
    results[name] = model.evaluate(x_test, y_test, verbose=0)[1]
    print(f"{name:>20}: test accuracy {score(data, results[name])}")
save_results(out, results)
