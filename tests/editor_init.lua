-- Neovim drives `ormlint server` as a user would: open the view, wait for the
-- diagnostics, apply the preferred quick fix, write the file, quit. `ormlint` must be
-- on the PATH. Used by
-- tests/test_server_neovim.py as `nvim --headless -u editor_init.lua VIEW`; what
-- happened is written to $ORMLINT_NVIM_REPORT, one line per step, and a failure
-- quits with a non-zero status.

local report = assert(io.open(os.getenv("ORMLINT_NVIM_REPORT"), "w"))
local function say(line)
  report:write(line, "\n")
  report:flush()
end
local function fail(message)
  say("error: " .. message)
  report:close()
  vim.cmd("cquit 3")
end

-- The server starts as the docs' setup starts it: their init.lua snippet, passed in
-- $ORMLINT_NVIM_SETUP, on Neovim 0.8 and later; start_client on 0.7, which has no
-- vim.lsp.start.
vim.cmd("filetype on")
if vim.lsp.start then
  dofile(os.getenv("ORMLINT_NVIM_SETUP"))
  say("setup docs/editors.md")
else
  vim.api.nvim_create_autocmd("FileType", {
    pattern = "python",
    callback = function(event)
      local id = vim.lsp.start_client({ name = "ormlint", cmd = { "ormlint", "server" }, root_dir = vim.fn.getcwd() })
      vim.lsp.buf_attach_client(event.buf, id)
    end,
  })
  say("setup vim.lsp.start_client")
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local seen = vim.wait(60000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 50)
  if not seen then
    return fail("no diagnostics within 60 s")
  end
  -- The request names the diagnostics in the protocol's terms (Neovim 0.7 keeps only
  -- some of the original fields), and the range under the cursor: the first one's.
  local lsp_diagnostics = {}
  for _, found in ipairs(vim.diagnostic.get(bufnr)) do
    say(string.format("diagnostic %s %d:%d %s", found.source, found.lnum + 1, found.col + 1, found.message))
    table.insert(lsp_diagnostics, {
      range = {
        start = { line = found.lnum, character = found.col },
        ["end"] = { line = found.end_lnum, character = found.end_col },
      },
      message = found.message,
      severity = found.severity,
      source = found.source,
      code = found.user_data and found.user_data.lsp and found.user_data.lsp.code,
    })
  end
  local first = lsp_diagnostics[1]
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = first.range,
    context = { diagnostics = lsp_diagnostics, only = { "quickfix" } },
  }
  local answers = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 60000)
  local chosen
  for _, answer in pairs(answers or {}) do
    for _, action in ipairs(answer.result or {}) do
      say("action " .. action.title)
      if action.isPreferred and not chosen then
        chosen = action
      end
    end
  end
  if not chosen then
    return fail("no preferred quick fix")
  end
  vim.lsp.util.apply_workspace_edit(chosen.edit, "utf-16")
  say("applied " .. chosen.title)
  vim.cmd("write")
  report:close()
  vim.cmd("qall!")
end

vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    local ok, problem = pcall(run)
    if not ok then
      fail(tostring(problem))
    end
  end,
})
