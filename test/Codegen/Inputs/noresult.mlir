func.func @noresult(%a: tensor<4xf32>) {
  return
}
