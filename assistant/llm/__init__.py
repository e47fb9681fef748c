"""The long tail: an OpenAI-compatible model plans over the same tools (through LangChain), within a
deadline and a token budget, and its replies pass the same guard as the offline planner's."""
