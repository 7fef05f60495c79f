"""A snippet whose text is Jinja: shown as code, never evaluated."""

TEMPLATE = "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}"
CHAT = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
print(TEMPLATE, CHAT)
