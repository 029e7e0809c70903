"""The Streamlit pages of `streamlit_app.py` (with st.navigation; not Streamlit's pages/ folder)."""
